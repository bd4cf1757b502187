package io.github.ane4j.jmh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal JSON reader, enough for JMH's result files: objects become {@code Map<String, Object>} (in
 * file order), arrays {@code List<Object>}, strings {@code String}, numbers {@code Double}, {@code true}
 * and {@code false} {@code Boolean}, {@code null} null. Bare {@code NaN} and {@code Infinity} are read as
 * numbers too, as JMH may write them.
 */
final class Json {
    private final String text;
    private int pos;

    private Json(String text) { this.text = text; }

    /** @throws IllegalArgumentException for malformed text, naming the line and column */
    static Object parse(String text) {
        Json json = new Json(text);
        Object value = json.value();
        json.skipSpace();
        if (json.pos != text.length()) throw json.error("unexpected text after the value");
        return value;
    }

    private Object value() {
        skipSpace();
        if (pos == text.length()) throw error("unexpected end of input");
        return switch (text.charAt(pos)) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            default -> literal();
        };
    }

    private Map<String, Object> object() {
        Map<String, Object> members = new LinkedHashMap<>();
        pos++;
        if (accept('}')) return members;
        do {
            skipSpace();
            if (pos == text.length() || text.charAt(pos) != '"') throw error("expected a member name in quotes");
            String name = string();
            expect(':');
            members.put(name, value());
        } while (accept(','));
        expect('}');
        return members;
    }

    private List<Object> array() {
        List<Object> elements = new ArrayList<>();
        pos++;
        if (accept(']')) return elements;
        do {
            elements.add(value());
        } while (accept(','));
        expect(']');
        return elements;
    }

    private String string() {
        StringBuilder s = new StringBuilder();
        pos++;
        while (true) {
            if (pos == text.length()) throw error("unterminated string");
            char c = text.charAt(pos++);
            if (c == '"') return s.toString();
            if (c != '\\') {
                s.append(c);
                continue;
            }
            if (pos == text.length()) throw error("unterminated string");
            char escaped = text.charAt(pos++);
            switch (escaped) {
                case '"', '\\', '/' -> s.append(escaped);
                case 'b' -> s.append('\b');
                case 'f' -> s.append('\f');
                case 'n' -> s.append('\n');
                case 'r' -> s.append('\r');
                case 't' -> s.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) throw error("incomplete \\u escape");
                    try {
                        s.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException e) {
                        throw error("bad \\u escape");
                    }
                    pos += 4;
                }
                default -> throw error("unknown escape \\" + escaped);
            }
        }
    }

    /** A number, true, false, null, NaN or Infinity: a run of letters, digits, signs and dots. */
    private Object literal() {
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || "+-.".indexOf(text.charAt(pos)) >= 0)) {
            pos++;
        }
        String token = text.substring(start, pos);
        switch (token) {
            case "true": return Boolean.TRUE;
            case "false": return Boolean.FALSE;
            case "null": return null;
            default:
                pos = start;
                if (token.isEmpty()) throw error("unexpected character '" + text.charAt(pos) + "'");
                try {
                    Double number = Double.valueOf(token);
                    pos += token.length();
                    return number;
                } catch (NumberFormatException e) {
                    throw error("not a JSON value: " + token);
                }
        }
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
    }

    /** Skips space, then consumes {@code c} when it comes next. */
    private boolean accept(char c) {
        skipSpace();
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!accept(c)) throw error("expected '" + c + "'");
    }

    private IllegalArgumentException error(String message) {
        int line = 1, column = 1;
        for (int i = 0; i < pos; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new IllegalArgumentException("JSON line " + line + ", column " + column + ": " + message);
    }
}
