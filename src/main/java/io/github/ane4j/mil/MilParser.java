package io.github.ane4j.mil;

import io.github.ane4j.DType;
import io.github.ane4j.MilCompileException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the parts of a MIL program a binding needs: the program header, each function's signature (its
 * typed parameters and returned names), the declared type of every statement result (so a returned name
 * gets its type) and every BLOBFILE path. Op arguments and attributes are only checked for balanced
 * brackets; their meaning is the compiler's business. Grammar: upstream dialect, EBNF of the research
 * notes §1.9, plus coremlc's several results per statement ({@code tensor<…> a, tensor<…> b = split(…)})
 * and an optional attribute block after a function's parameter list.
 */
final class MilParser {
    /** Every element type the native parser knows (mil.h); only some of them fit a surface (DType). */
    private static final Set<String> DTYPES = Set.of(
            "fp16", "fp32", "int32", "int8", "uint8", "uint4", "bool", "string", "uint64", "int16", "uint16");

    /** A declared type: a tensor (shape non-null, possibly rank 0), a scalar, or a dict (dtype "dict"). */
    private record Type(String dtype, long[] shape, MilToken at) {
        String describe() {
            return dtype.equals("dict") ? "is a dict" : "has element type " + dtype;
        }
    }

    /** A named value: a parameter or a statement result. */
    private record Decl(MilToken name, Type type) {}

    private record Function(String name, List<Decl> params, List<Decl> outputs) {}

    private final List<MilToken> tokens;
    private int next;
    private final Set<String> blobFiles = new LinkedHashSet<>();
    private Map<String, Decl> scope; // names of the function being parsed

    private MilParser(List<MilToken> tokens) { this.tokens = tokens; }

    static MilProgram parse(String text) {
        MilParser p = new MilParser(MilLexer.tokenize(text));
        Function main = p.program();
        return new MilProgram(text, toSpecs(main.params, "parameter"), toSpecs(main.outputs, "output"),
                List.copyOf(p.blobFiles));
    }

    // program = "program" "(" NUMBER ")" [ "[" … "]" ] "{" function { function } "}"
    private Function program() {
        expect("program", "the program header 'program(1.3)'");
        MilToken open = expect("(", "'(' after 'program'");
        expectKind(MilToken.Kind.NUMBER, "the program version, e.g. 1.3");
        expectClose(open, "the program version");
        if (peek().is("[")) skipBalanced(take(), "the program attributes");
        expect("{", "'{' to open the program body");
        List<Function> functions = new ArrayList<>();
        do {
            functions.add(function());
        } while (peek().is("func"));
        expect("}", "'func' or '}' to close the program body");
        if (peek().kind() != MilToken.Kind.END) throw error(peek(), "unexpected " + peek().describe() + " after the end of the program");
        for (Function f : functions) if (f.name.equals("main")) return f;
        return functions.get(0);
    }

    // function = "func" IDENT "<" IDENT ">" "(" params ")" [ "[" … "]" ] "{" statements "}" "->" "(" names ")" ";"
    private Function function() {
        expect("func", "a function 'func main<ios18>(…)'");
        String name = expectKind(MilToken.Kind.IDENT, "a function name").text();
        expect("<", "'<' and the opset of function '" + name + "', e.g. <ios18>");
        expectKind(MilToken.Kind.IDENT, "an opset name such as ios18");
        expect(">", "'>' after the opset of function '" + name + "'");
        scope = new HashMap<>();
        List<Decl> params = new ArrayList<>();
        MilToken open = expect("(", "'(' to open the parameter list of '" + name + "'");
        if (!peek().is(")")) {
            do {
                params.add(declare(type()));
            } while (accept(","));
        }
        expectClose(open, "the parameter list of '" + name + "'");
        if (peek().is("[")) skipBalanced(take(), "the attributes of function '" + name + "'");
        expect("{", "'{' to open the body of '" + name + "'");
        while (!peek().is("}")) statement();
        take();
        expect("->", "'->' and the returned names after the body of '" + name + "'");
        List<Decl> outputs = new ArrayList<>();
        MilToken openOut = expect("(", "'(' to open the returned names of '" + name + "'");
        do {
            outputs.add(resolve(expectKind(MilToken.Kind.IDENT, "a returned value name"), name));
        } while (accept(","));
        expectClose(openOut, "the returned names of '" + name + "'");
        expect(";", "';' after the returned names of '" + name + "'");
        return new Function(name, params, outputs);
    }

    // statement = type IDENT { "," type IDENT } "=" IDENT "(" … ")" [ "[" … "]" ] ";"
    private void statement() {
        List<Decl> results = new ArrayList<>();
        do {
            results.add(declare(type()));
        } while (accept(","));
        expect("=", "'=' after the result '" + results.get(results.size() - 1).name.text() + "'");
        String op = expectKind(MilToken.Kind.IDENT, "an op name").text();
        skipBalanced(expect("(", "'(' after op '" + op + "'"), "the argument list of '" + op + "'");
        if (peek().is("[")) skipBalanced(take(), "the attributes of '" + op + "'");
        expect(";", "';' after the statement defining '" + results.get(0).name.text() + "'");
    }

    // type = "tensor" "<" dtype "," shape ">" | "dict" "<" type "," type ">" | dtype
    private Type type() {
        MilToken t = take();
        if (t.is("tensor")) {
            expect("<", "'<' after 'tensor'");
            String dtype = dtype();
            expect(",", "',' and the shape after the dtype");
            long[] shape = shape();
            expect(">", "'>' to close the tensor type");
            return new Type(dtype, shape, t);
        }
        if (t.is("dict")) {
            expect("<", "'<' after 'dict'");
            type();
            expect(",", "',' between the key and value types of the dict");
            type();
            expect(">", "'>' to close the dict type");
            return new Type("dict", null, t);
        }
        if (t.kind() == MilToken.Kind.IDENT && DTYPES.contains(t.text())) return new Type(t.text(), null, t);
        throw error(t, "expected a type such as tensor<fp16, [1, 64, 1, 64]>, found " + t.describe());
    }

    private String dtype() {
        MilToken t = take();
        if (t.kind() != MilToken.Kind.IDENT) throw error(t, "expected a dtype such as fp16, found " + t.describe());
        if (!DTYPES.contains(t.text())) throw error(t, "unknown dtype '" + t.text() + "'");
        return t.text();
    }

    // shape = "[" [ INT { "," INT } ] "]" with every INT positive
    private long[] shape() {
        MilToken open = expect("[", "'[' to open the shape");
        List<Long> dims = new ArrayList<>();
        if (!peek().is("]")) {
            do {
                dims.add(dimension(take()));
            } while (accept(","));
        }
        expectClose(open, "the shape");
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private static long dimension(MilToken t) {
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

    private Decl declare(Type type) {
        MilToken name = expectKind(MilToken.Kind.IDENT, "a value name after the type");
        Decl earlier = scope.get(name.text());
        if (earlier != null) {
            throw error(name, "'" + name.text() + "' is already defined at line " + earlier.name.line()
                    + ", column " + earlier.name.column());
        }
        Decl d = new Decl(name, type);
        scope.put(name.text(), d);
        return d;
    }

    private Decl resolve(MilToken name, String function) {
        Decl d = scope.get(name.text());
        if (d == null) {
            throw error(name, "returned value '" + name.text() + "' is not defined in function '" + function + "'");
        }
        return d;
    }

    /**
     * Skips tokens up to the bracket closing {@code open}, checking that every bracket in between is
     * closed by its partner before any ';' and recording BLOBFILE paths on the way.
     */
    private void skipBalanced(MilToken open, String what) {
        Deque<MilToken> stack = new ArrayDeque<>();
        stack.push(open);
        while (!stack.isEmpty()) {
            MilToken t = take();
            if (t.is("(") || t.is("[") || t.is("{")) {
                stack.push(t);
            } else if (t.is(")") || t.is("]") || t.is("}") || t.is(";") || t.kind() == MilToken.Kind.END) {
                MilToken top = stack.peek();
                if (!t.is(closer(top))) {
                    throw error(t, "expected '" + closer(top) + "' to close " + (top == open ? what : "'" + top.text()
                            + "' at line " + top.line() + ", column " + top.column()) + ", found " + t.describe());
                }
                stack.pop();
            } else if (t.is("BLOBFILE") && peek().is("(")) {
                stack.push(take());
                blobFile();
            }
        }
    }

    // BLOBFILE "(" "path" "=" type "(" STRING ")" … — the caller skips the rest ("offset = …" and ")")
    private void blobFile() {
        expect("path", "'path' as the first BLOBFILE argument");
        expect("=", "'=' after 'path'");
        type();
        expect("(", "'(' and the BLOBFILE path string");
        blobFiles.add(expectKind(MilToken.Kind.STRING, "the BLOBFILE path string").text());
        expect(")", "')' after the BLOBFILE path string");
    }

    private static List<TensorSpec> toSpecs(List<Decl> decls, String role) {
        List<TensorSpec> specs = new ArrayList<>();
        for (Decl d : decls) {
            DType dtype = DType.fromMilName(d.type.dtype);
            if (dtype == null) {
                throw error(d.type.at, role + " '" + d.name.text() + "' " + d.type.describe()
                        + ", which no surface can hold (surface dtypes: fp16, fp32, uint8, int8, int32)");
            }
            try {
                specs.add(new TensorSpec(d.name.text(), dtype, d.type.shape == null ? new long[0] : d.type.shape));
            } catch (IllegalArgumentException tooLarge) {
                throw error(d.type.at, role + " '" + d.name.text() + "' is too large for a surface: " + tooLarge.getMessage());
            }
        }
        return List.copyOf(specs);
    }

    private static String closer(MilToken open) {
        return switch (open.text()) {
            case "(" -> ")";
            case "[" -> "]";
            default -> "}";
        };
    }

    private MilToken peek() { return tokens.get(next); }

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
        if (!peek().is(close)) {
            throw error(peek(), "expected '" + close + "' to close " + what + ", found " + peek().describe());
        }
        take();
    }

    private static MilCompileException error(MilToken at, String cause) {
        return MilLexer.errorAt(at.line(), at.column(), cause);
    }
}
