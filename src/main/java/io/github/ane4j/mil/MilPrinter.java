package io.github.ane4j.mil;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Prints a program model in the upstream style: {@code program(1.3)}, the attribute block on its own line,
 * one statement per line indented by eight spaces, spaced punctuation ({@code x = x}, {@code [1, 4]}).
 * Numbers print exactly: integers as integers, other values as the shortest decimal that reads back as
 * the same double, so printed text compiles to the same constants as the text it came from.
 */
final class MilPrinter {
    /** Printed text and the 1-based line of every statement in it. */
    record Printed(String text, Map<Statement, Integer> lines) {}

    private final StringBuilder out = new StringBuilder();
    private final Map<Statement, Integer> lines = new IdentityHashMap<>();
    private int line = 1;

    private MilPrinter() {}

    static Printed print(String version, List<Attribute> attributes, List<MilFunction> functions) {
        MilPrinter p = new MilPrinter();
        p.program(version, attributes, functions);
        return new Printed(p.out.toString(), p.lines);
    }

    private void program(String version, List<Attribute> attributes, List<MilFunction> functions) {
        println("program(" + version + ")");
        if (!attributes.isEmpty()) println(attributes(attributes));
        println("{");
        for (MilFunction f : functions) function(f);
        println("}");
    }

    private void function(MilFunction f) {
        StringJoiner params = new StringJoiner(", ");
        for (Parameter p : f.parameters()) params.add(p.type().text() + " " + p.name());
        println("    func " + f.name() + "<" + f.opset() + ">(" + params + ")"
                + (f.attributes() == null ? "" : " " + f.attributes()) + " {");
        for (Statement s : f.statements()) {
            lines.put(s, line);
            println("        " + statement(s));
        }
        println("    } -> (" + String.join(", ", f.outputs()) + ");");
    }

    static String statement(Statement s) {
        StringJoiner results = new StringJoiner(", ");
        for (Statement.Result r : s.results()) results.add(r.type().text() + " " + r.name());
        StringJoiner args = new StringJoiner(", ");
        for (Argument a : s.arguments()) args.add(a.key() + " = " + operand(a.value()));
        return results + " = " + s.op() + "(" + args + ")" + (s.attributes().isEmpty() ? "" : attributes(s.attributes())) + ";";
    }

    private static String operand(Operand o) {
        return switch (o) {
            case Operand.Name n -> n.name();
            case Operand.Tuple t -> "(" + String.join(", ", t.names()) + ")";
            case Operand.Inline i -> literal(i.literal());
        };
    }

    private static String attributes(List<Attribute> attributes) {
        StringJoiner j = new StringJoiner(", ", "[", "]");
        for (Attribute a : attributes) j.add(a.key() + " = " + literal(a.value()));
        return j.toString();
    }

    static String literal(Literal literal) {
        return switch (literal) {
            case Literal.Numbers n -> n.type().text() + "(" + numbers(n) + ")";
            case Literal.Strings s -> s.type().text() + "(" + strings(s) + ")";
            case Literal.BlobFile b -> b.type().text() + "(BLOBFILE(path = string(" + quote(b.path()) + "), offset = uint64("
                    + Long.toUnsignedString(b.offset()) + ")))";
            case Literal.Dict d -> {
                StringJoiner j = new StringJoiner(", ", "{", "}");
                for (Map.Entry<String, String> e : d.entries()) j.add("{" + quote(e.getKey()) + ", " + quote(e.getValue()) + "}");
                yield d.type().text() + "(" + j + ")";
            }
        };
    }

    private static String numbers(Literal.Numbers n) {
        ElementType dt = MilType.elementType(n.type());
        double[] values = n.values();
        if (!(n.type() instanceof MilType.Tensor t) || t.rank() == 0) return number(values[0], dt);
        StringJoiner j = new StringJoiner(", ", "[", "]");
        for (double v : values) j.add(number(v, dt));
        return j.toString();
    }

    private static String strings(Literal.Strings s) {
        if (!(s.type() instanceof MilType.Tensor t) || t.rank() == 0) return quote(s.values().get(0));
        StringJoiner j = new StringJoiner(", ", "[", "]");
        for (String v : s.values()) j.add(quote(v));
        return j.toString();
    }

    /** A value of dtype {@code dt} as MIL reads it back: bools as words, integral values without a fraction. */
    static String number(double v, ElementType dt) {
        if (dt == ElementType.BOOL) return v != 0 ? "true" : "false";
        if (v == Math.rint(v) && Math.abs(v) < 1e18 && !(v == 0 && 1 / v < 0)) return Long.toString((long) v);
        if (Double.isNaN(v) || Double.isInfinite(v)) throw new IllegalArgumentException("MIL cannot spell " + v);
        return Double.toString(v);
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    private void println(String s) {
        out.append(s).append('\n');
        line++;
    }
}
