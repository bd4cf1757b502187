package io.github.ane4j.mil;

import io.github.ane4j.MilCompileException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the program model from MIL text: the upstream dialect (EBNF of the research notes §1.9) with
 * both scalar spellings, compact and spaced styles, inline literal arguments, tuples, dicts, coremlc's
 * several results per statement ({@code tensor<…> a, tensor<…> b = split(…)}) and an optional attribute
 * block after a function's parameter list (kept as raw text). It accepts what the native parser accepts:
 * literal values are checked against their declared dtype and element count, names must be defined before
 * use and only once per function. Every error names the 1-based line and column of its cause.
 */
final class MilParser {
    /** A named value of the function being parsed: where its name and type were written. */
    private record Decl(MilToken name, MilType type, MilToken typeAt) {}

    private final String text;
    private final List<MilToken> tokens;
    private int next;
    private final Map<Statement, Integer> lines = new IdentityHashMap<>();
    private Map<String, Decl> scope;

    private MilParser(String text) {
        this.text = text;
        this.tokens = MilLexer.tokenize(text);
    }

    static MilProgram parse(String text) {
        return new MilParser(text).program();
    }

    // program = "program" "(" VERSION ")" [ "[" attrs "]" ] "{" function { function } "}"
    private MilProgram program() {
        expect("program", "the program header 'program(1.3)'");
        MilToken open = expect("(", "'(' after 'program'");
        MilToken version = expectKind(MilToken.Kind.NUMBER, "the program version, e.g. 1.3");
        if (!version.text().matches("[0-9]+(\\.[0-9]*)?")) throw error(version, "expected a version such as 1.3, found " + version.describe());
        expectClose(open, "the program version");
        List<Attribute> attributes = peek().is("[") ? attributes("the program") : List.of();
        expect("{", "'{' to open the program body");
        List<MilFunction> functions = new ArrayList<>();
        Map<String, MilToken> functionNames = new HashMap<>();
        Map<String, Decl> mainScope = null;
        do {
            MilFunction f = function(functionNames);
            functions.add(f);
            if (f.name().equals("main") || mainScope == null) mainScope = scope;
        } while (peek().is("func"));
        expect("}", "'func' or '}' to close the program body");
        if (peek().kind() != MilToken.Kind.END) throw error(peek(), "unexpected " + peek().describe() + " after the end of the program");
        MilFunction main = MilProgram.mainOf(functions);
        // The types of main's parameters and results must fit surfaces: checked here, where they have positions.
        for (Parameter p : main.parameters()) surfaceCheck(mainScope.get(p.name()), "parameter");
        for (String out : main.outputs()) surfaceCheck(mainScope.get(out), "output");
        return new MilProgram(text, version.text(), attributes, functions, lines, Map.of(), List.of());
    }

    private static void surfaceCheck(Decl d, String role) {
        try {
            MilProgram.surfaceSpec(d.name.text(), d.type);
        } catch (IllegalArgumentException e) {
            throw error(d.typeAt, role + " '" + d.name.text() + "' " + e.getMessage());
        }
    }

    // function = "func" IDENT "<" IDENT ">" "(" params ")" [ "[" … "]" ] "{" statements "}" "->" "(" names ")" ";"
    private MilFunction function(Map<String, MilToken> functionNames) {
        expect("func", "a function 'func main<ios18>(…)'");
        MilToken nameToken = expectKind(MilToken.Kind.IDENT, "a function name");
        String name = nameToken.text();
        MilToken earlier = functionNames.putIfAbsent(name, nameToken);
        if (earlier != null) throw error(nameToken, "function '" + name + "' is already defined at line " + earlier.line());
        expect("<", "'<' and the opset of function '" + name + "', e.g. <ios18>");
        String opset = expectKind(MilToken.Kind.IDENT, "an opset name such as ios18").text();
        expect(">", "'>' after the opset of function '" + name + "'");
        scope = new HashMap<>();
        List<Parameter> params = new ArrayList<>();
        MilToken open = expect("(", "'(' to open the parameter list of '" + name + "'");
        if (!peek().is(")")) {
            do {
                MilToken typeAt = peek();
                MilType type = valueType();
                params.add(new Parameter(declare(type, typeAt).name.text(), type, Parameter.Role.ACTIVATION));
            } while (accept(","));
        }
        expectClose(open, "the parameter list of '" + name + "'");
        String rawAttributes = peek().is("[") ? rawBlock(take(), "the attributes of function '" + name + "'") : null;
        expect("{", "'{' to open the body of '" + name + "'");
        List<Statement> statements = new ArrayList<>();
        while (!peek().is("}")) statements.add(statement());
        take();
        expect("->", "'->' and the returned names after the body of '" + name + "'");
        List<String> outputs = new ArrayList<>();
        MilToken openOut = expect("(", "'(' to open the returned names of '" + name + "'");
        do {
            MilToken out = expectKind(MilToken.Kind.IDENT, "a returned value name");
            if (!scope.containsKey(out.text())) {
                throw error(out, "returned value '" + out.text() + "' is not defined in function '" + name + "'");
            }
            outputs.add(out.text());
        } while (accept(","));
        expectClose(openOut, "the returned names of '" + name + "'");
        expect(";", "';' after the returned names of '" + name + "'");
        return new MilFunction(name, opset, params, rawAttributes, statements, outputs);
    }

    // statement = type IDENT { "," type IDENT } "=" IDENT "(" [ arg { "," arg } ] ")" [ "[" attrs "]" ] ";"
    private Statement statement() {
        MilToken first = peek();
        List<Statement.Result> results = new ArrayList<>();
        List<Decl> declared = new ArrayList<>();
        do {
            if (peek().kind() == MilToken.Kind.IDENT && ahead().is("=")) {
                throw error(peek(), "missing the type of result '" + peek().text() + "'");
            }
            MilToken typeAt = peek();
            MilType type = valueType();
            MilToken name = expectKind(MilToken.Kind.IDENT, "a value name after the type");
            for (Decl d : declared) {
                if (d.name.text().equals(name.text())) throw redefined(name, d);
            }
            Decl earlier = scope.get(name.text());
            if (earlier != null) throw redefined(name, earlier);
            declared.add(new Decl(name, type, typeAt));
            results.add(new Statement.Result(name.text(), type));
        } while (accept(","));
        expect("=", "'=' after the result '" + results.get(results.size() - 1).name() + "'");
        String op = expectKind(MilToken.Kind.IDENT, "an op name").text();
        MilToken open = expect("(", "'(' after op '" + op + "'");
        List<Argument> arguments = new ArrayList<>();
        if (!peek().is(")")) {
            do {
                arguments.add(argument(op, arguments));
            } while (accept(","));
        }
        expectClose(open, "the argument list of '" + op + "'");
        List<Attribute> attributes = peek().is("[") ? attributes("'" + op + "'") : List.of();
        expect(";", "';' after the statement defining '" + results.get(0).name() + "'");
        for (Decl d : declared) scope.put(d.name.text(), d);
        Statement s = new Statement(results, op, arguments, attributes);
        lines.put(s, first.line());
        return s;
    }

    // arg = IDENT "=" ( literal | "true" | "false" | "(" IDENT { "," IDENT } ")" | IDENT )
    private Argument argument(String op, List<Argument> earlier) {
        MilToken key = expectKind(MilToken.Kind.IDENT, "an argument name in the argument list of '" + op + "'");
        for (Argument a : earlier) {
            if (a.key().equals(key.text())) throw error(key, "duplicate argument '" + key.text() + "' of '" + op + "'");
        }
        expect("=", "'=' after the argument name '" + key.text() + "'");
        MilToken t = peek();
        boolean literalFollows = ahead().is("(") || ahead().is("<");
        if ((t.is("true") || t.is("false")) && !literalFollows) {
            take();
            return new Argument(key.text(), new Operand.Inline(Literal.bool(t.is("true"))));
        }
        if (t.kind() == MilToken.Kind.IDENT && literalFollows) return new Argument(key.text(), new Operand.Inline(literal()));
        if (t.kind() == MilToken.Kind.IDENT) return new Argument(key.text(), new Operand.Name(resolve(take())));
        if (!t.is("(")) throw error(t, "expected a value name, a literal or a tuple for argument '" + key.text() + "' of '" + op + "', found " + t.describe());
        take();
        List<String> names = new ArrayList<>();
        do {
            names.add(resolve(expectKind(MilToken.Kind.IDENT, "a value name in the tuple of argument '" + key.text() + "'")));
        } while (accept(","));
        expect(")", "')' to close the tuple of argument '" + key.text() + "'");
        return new Argument(key.text(), new Operand.Tuple(names));
    }

    // attrs = "[" IDENT "=" literal { "," IDENT "=" literal } "]"
    private List<Attribute> attributes(String owner) {
        MilToken open = take();
        List<Attribute> attributes = new ArrayList<>();
        do {
            MilToken key = expectKind(MilToken.Kind.IDENT, "an attribute name in the attributes of " + owner);
            for (Attribute a : attributes) {
                if (a.key().equals(key.text())) throw error(key, "duplicate attribute '" + key.text() + "' of " + owner);
            }
            expect("=", "'=' after the attribute name '" + key.text() + "'");
            attributes.add(new Attribute(key.text(), literal()));
        } while (accept(","));
        expectClose(open, "the attributes of " + owner);
        return attributes;
    }

    // literal = type "(" ( scalar | "[" scalars "]" | BLOBFILE(…) ) ")" | dict_type "(" "{" pairs "}" ")"
    private Literal literal() {
        if (peek().is("dict")) {
            MilType.Dict type = dictType();
            expect("(", "'(' after the dict type");
            List<Map.Entry<String, String>> entries = dictBody();
            expect(")", "')' to close the dict literal");
            return new Literal.Dict(type, entries);
        }
        MilToken typeAt = peek();
        MilType type = valueType();
        expect("(", "'(' after the literal type " + type.text());
        Literal literal;
        if (type instanceof MilType.Tensor t && t.rank() > 0) {
            if (peek().is("BLOBFILE")) {
                literal = blobFile(t);
            } else if (peek().is("[")) {
                literal = list(type, take());
            } else {
                throw error(peek(), "expected '[' or BLOBFILE for a " + type.text() + " literal, found " + peek().describe());
            }
        } else {
            literal = elements(type, List.of(take()), typeAt);
        }
        expect(")", "')' to close the " + type.text() + " literal");
        return literal;
    }

    private Literal list(MilType type, MilToken open) {
        List<MilToken> items = new ArrayList<>();
        if (!peek().is("]")) {
            do {
                items.add(take());
            } while (accept(","));
        }
        expectClose(open, "the list");
        long needed = ((MilType.Tensor) type).elementCount();
        if (items.size() != needed) {
            throw error(open, "literal has " + items.size() + " value" + (items.size() == 1 ? "" : "s") + " but "
                    + type.text() + " needs " + needed);
        }
        return elements(type, items, open);
    }

    /** The values of {@code items} as elements of {@code type}, each checked against its dtype. */
    private static Literal elements(MilType type, List<MilToken> items, MilToken at) {
        ElementType dt = MilType.elementType(type);
        if (dt == ElementType.STRING) {
            List<String> strings = new ArrayList<>(items.size());
            for (MilToken t : items) {
                if (t.kind() != MilToken.Kind.STRING) throw error(t, "expected a string, found " + t.describe());
                strings.add(t.text());
            }
            return new Literal.Strings(type, strings);
        }
        double[] values = new double[items.size()];
        for (int i = 0; i < values.length; i++) values[i] = number(items.get(i), dt);
        return new Literal.Numbers(type, values);
    }

    /** One element of dtype {@code dt}: true/false for bool, an integer in range, or a float in range. */
    private static double number(MilToken t, ElementType dt) {
        if (dt == ElementType.BOOL) {
            if (!t.is("true") && !t.is("false")) throw error(t, "expected true or false, found " + t.describe());
            return t.is("true") ? 1 : 0;
        }
        if (t.kind() != MilToken.Kind.NUMBER) throw error(t, "expected a number, found " + t.describe());
        if (dt.isFloat()) {
            double v = Double.parseDouble(t.text());
            if (Double.isInfinite(v) || (dt == ElementType.FP16 && Math.abs(v) >= 65520.0) || (dt == ElementType.FP32 && Float.isInfinite((float) v))) {
                throw error(t, "value '" + t.text() + "' is out of range for " + dt);
            }
            return v;
        }
        if (!t.text().matches("-?[0-9]+")) throw error(t, dt + " value must be an integer, found '" + t.text() + "'");
        try {
            if (dt == ElementType.UINT64) return (double) Long.parseUnsignedLong(t.text());
            long v = Long.parseLong(t.text());
            long[] range = switch (dt) {
                case INT32 -> new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE};
                case INT16 -> new long[] {Short.MIN_VALUE, Short.MAX_VALUE};
                case UINT16 -> new long[] {0, 65535};
                case INT8 -> new long[] {Byte.MIN_VALUE, Byte.MAX_VALUE};
                case UINT8 -> new long[] {0, 255};
                default -> new long[] {0, 15}; // uint4
            };
            if (v >= range[0] && v <= range[1]) return v;
        } catch (NumberFormatException outOfRange) {
            // reported below
        }
        throw error(t, "value '" + t.text() + "' is out of range for " + dt);
    }

    // BLOBFILE "(" "path" "=" string-literal "," "offset" "=" uint64-literal ")"
    private Literal blobFile(MilType.Tensor type) {
        take();
        expect("(", "'(' after BLOBFILE");
        expect("path", "'path' as the first BLOBFILE argument");
        expect("=", "'=' after 'path'");
        String path = blobScalar(ElementType.STRING, MilToken.Kind.STRING, "the BLOBFILE path string").text();
        expect(",", "',' after the BLOBFILE path");
        expect("offset", "'offset' as the second BLOBFILE argument");
        expect("=", "'=' after 'offset'");
        MilToken offset = blobScalar(ElementType.UINT64, MilToken.Kind.NUMBER, "the BLOBFILE offset");
        long value;
        try {
            value = Long.parseUnsignedLong(offset.text());
        } catch (NumberFormatException e) {
            throw error(offset, "BLOBFILE offset must be an unsigned integer, found '" + offset.text() + "'");
        }
        expect(")", "')' to close BLOBFILE(...)");
        return new Literal.BlobFile(type, path, value);
    }

    /** {@code string("…")} / {@code tensor<string, []>("…")} and likewise uint64: the value token. */
    private MilToken blobScalar(ElementType dt, MilToken.Kind kind, String what) {
        MilToken at = peek();
        MilType type = valueType();
        if (MilType.elementType(type) != dt || MilType.shape(type).length != 0) throw error(at, what + " must be a " + dt + " literal");
        expect("(", "'(' and " + what);
        MilToken value = expectKind(kind, what);
        expect(")", "')' after " + what);
        return value;
    }

    // dict_type = "dict" "<" type "," type ">" with string keys and values
    private MilType.Dict dictType() {
        MilToken start = take();
        expect("<", "'<' after 'dict'");
        MilType key = valueType();
        expect(",", "',' between the key and value types of the dict");
        MilType value = valueType();
        expect(">", "'>' to close the dict type");
        for (MilType t : List.of(key, value)) {
            if (MilType.elementType(t) != ElementType.STRING || MilType.shape(t).length != 0) {
                throw error(start, "dict keys and values must be strings");
            }
        }
        return new MilType.Dict(key, value);
    }

    // "{" [ "{" STRING "," STRING "}" { "," … } ] "}"
    private List<Map.Entry<String, String>> dictBody() {
        MilToken open = expect("{", "'{' to open the dict literal");
        List<Map.Entry<String, String>> entries = new ArrayList<>();
        if (!peek().is("}")) {
            do {
                expect("{", "'{' to open a dict entry");
                String key = expectKind(MilToken.Kind.STRING, "a string key in the dict entry").text();
                expect(",", "',' between the key and value of a dict entry");
                String value = expectKind(MilToken.Kind.STRING, "a string value in the dict entry").text();
                expect("}", "'}' to close a dict entry");
                entries.add(Map.entry(key, value));
            } while (accept(","));
        }
        expectClose(open, "the dict literal");
        return entries;
    }

    // type = "tensor" "<" dtype "," shape ">" | dtype
    private MilType valueType() {
        MilToken t = take();
        if (t.is("tensor")) {
            expect("<", "'<' after 'tensor'");
            ElementType dtype = dtype();
            expect(",", "',' and the shape after the dtype");
            long[] shape = shape();
            expect(">", "'>' to close the tensor type");
            return new MilType.Tensor(dtype, shape);
        }
        if (t.is("dict")) throw error(t, "a dict type is only allowed for literals");
        if (t.kind() == MilToken.Kind.IDENT) {
            ElementType dtype = ElementType.fromMilName(t.text());
            if (dtype == null) throw error(t, "unknown dtype '" + t.text() + "'");
            return new MilType.Scalar(dtype);
        }
        throw error(t, "expected a type such as tensor<fp16, [1, 64, 1, 64]>, found " + t.describe());
    }

    private ElementType dtype() {
        MilToken t = take();
        if (t.kind() != MilToken.Kind.IDENT) throw error(t, "expected a dtype such as fp16, found " + t.describe());
        ElementType dtype = ElementType.fromMilName(t.text());
        if (dtype == null) throw error(t, "unknown dtype '" + t.text() + "'");
        return dtype;
    }

    // shape = "[" [ INT { "," INT } ] "]" with every INT positive
    private long[] shape() {
        MilToken open = expect("[", "'[' to open the shape");
        List<Long> dims = new ArrayList<>();
        if (!peek().is("]")) {
            do {
                if (dims.size() == MilProgram.MAX_RANK) throw error(peek(), "tensor rank exceeds the maximum of " + MilProgram.MAX_RANK);
                dims.add(dimension(take()));
            } while (accept(","));
        }
        expectClose(open, "the shape");
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private static long dimension(MilToken t) {
        if (t.is("?")) throw error(t, "dynamic dimension '?' is not supported: dimensions must be static positive integers");
        if (t.kind() == MilToken.Kind.NUMBER && t.text().matches("[0-9]+")) {
            try {
                long d = Long.parseLong(t.text());
                if (d > 0) return d;
            } catch (NumberFormatException tooLarge) {
                // reported below like any other bad dimension
            }
        }
        throw error(t, "dimension must be a static positive integer, found " + t.describe());
    }

    private Decl declare(MilType type, MilToken typeAt) {
        MilToken name = expectKind(MilToken.Kind.IDENT, "a value name after the type");
        Decl earlier = scope.get(name.text());
        if (earlier != null) throw redefined(name, earlier);
        Decl d = new Decl(name, type, typeAt);
        scope.put(name.text(), d);
        return d;
    }

    private String resolve(MilToken name) {
        if (!scope.containsKey(name.text())) throw error(name, "'" + name.text() + "' is not defined before its use");
        return name.text();
    }

    private static MilCompileException redefined(MilToken name, Decl earlier) {
        return error(name, "'" + name.text() + "' is already defined at line " + earlier.name.line() + ", column "
                + earlier.name.column());
    }

    /** The text from {@code open} to its matching bracket, brackets checked to balance, kept verbatim. */
    private String rawBlock(MilToken open, String what) {
        List<MilToken> stack = new ArrayList<>();
        stack.add(open);
        MilToken t = open;
        while (!stack.isEmpty()) {
            t = take();
            if (t.is("(") || t.is("[") || t.is("{")) {
                stack.add(t);
            } else if (t.is(")") || t.is("]") || t.is("}") || t.kind() == MilToken.Kind.END) {
                MilToken top = stack.remove(stack.size() - 1);
                if (!t.is(closer(top))) {
                    throw error(t, "expected '" + closer(top) + "' to close " + (top == open ? what : "'" + top.text()
                            + "' at line " + top.line() + ", column " + top.column()) + ", found " + t.describe());
                }
            }
        }
        return text.substring(open.offset(), t.offset() + 1);
    }

    private static String closer(MilToken open) {
        return switch (open.text()) {
            case "(" -> ")";
            case "[" -> "]";
            default -> "}";
        };
    }

    private MilToken peek() { return tokens.get(next); }

    /** The token after {@link #peek()} (END at the end). */
    private MilToken ahead() { return tokens.get(Math.min(next + 1, tokens.size() - 1)); }

    private MilToken take() {
        MilToken t = tokens.get(next);
        if (t.kind() != MilToken.Kind.END) next++;
        return t;
    }

    private boolean accept(String punct) {
        if (!peek().is(punct)) return false;
        take();
        return true;
    }

    private MilToken expect(String text, String expected) {
        if (!peek().is(text)) throw error(peek(), "expected " + expected + ", found " + peek().describe());
        return take();
    }

    private MilToken expectKind(MilToken.Kind kind, String expected) {
        if (peek().kind() != kind) throw error(peek(), "expected " + expected + ", found " + peek().describe());
        return take();
    }

    private void expectClose(MilToken open, String what) {
        String close = closer(open);
        if (!peek().is(close)) throw error(peek(), "expected '" + close + "' to close " + what + ", found " + peek().describe());
        take();
    }

    private static MilCompileException error(MilToken at, String cause) {
        return MilLexer.errorAt(at.line(), at.column(), cause);
    }
}
