package io.github.ane4j.mil;

import io.github.ane4j.MilCompileException;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Splits MIL text into tokens: identifiers ({@code [A-Za-z_][A-Za-z0-9_@]*}), numbers (decimal with
 * optional fraction and exponent, or hex floats such as {@code 0x1p-3}, optionally negative), strings
 * on one line with the escapes {@code \\ \" \' \n \t \r}, the punctuation {@code ( ) [ ] { } < > , = ; ?} and {@code ->}. Spaces, tabs and
 * line breaks separate tokens; MIL has no comments.
 */
final class MilLexer {
    private static final Pattern DECIMAL = Pattern.compile("-?[0-9]+(\\.[0-9]*)?([eE][+-]?[0-9]+)?");
    private static final Pattern HEX_FLOAT = Pattern.compile("-?0[xX][0-9a-fA-F]+(\\.[0-9a-fA-F]*)?[pP][+-]?[0-9]+");
    private static final String PUNCT = "()[]{}<>,=;?";

    private final String text;
    private int pos;
    private int line = 1;
    private int lineStart; // index of the first character of the current line

    private MilLexer(String text) { this.text = text; }

    /** The tokens of {@code text}, ending with one {@link MilToken.Kind#END} token. */
    static List<MilToken> tokenize(String text) {
        return new MilLexer(text).run();
    }

    /** A compile error at a 1-based position, with the position in the message too. */
    static MilCompileException errorAt(int line, int column, String cause) {
        return new MilCompileException("MIL line " + line + ", column " + column + ": " + cause, line, column);
    }

    private List<MilToken> run() {
        List<MilToken> tokens = new ArrayList<>();
        while (true) {
            skipWhitespace();
            if (pos == text.length()) {
                tokens.add(new MilToken(MilToken.Kind.END, "", line, column(), pos));
                return tokens;
            }
            tokens.add(next());
        }
    }

    private MilToken next() {
        int startLine = line, startColumn = column();
        char c = text.charAt(pos);
        if (isIdentStart(c)) {
            int start = pos;
            while (pos < text.length() && isIdentPart(text.charAt(pos))) pos++;
            return new MilToken(MilToken.Kind.IDENT, text.substring(start, pos), startLine, startColumn, start);
        }
        if (isDigit(c) || (c == '-' && pos + 1 < text.length() && isDigit(text.charAt(pos + 1)))) {
            return number(startLine, startColumn);
        }
        if (c == '"') return string(startLine, startColumn);
        if (c == '-' && pos + 1 < text.length() && text.charAt(pos + 1) == '>') {
            pos += 2;
            return new MilToken(MilToken.Kind.PUNCT, "->", startLine, startColumn, pos - 2);
        }
        if (PUNCT.indexOf(c) >= 0) {
            pos++;
            return new MilToken(MilToken.Kind.PUNCT, String.valueOf(c), startLine, startColumn, pos - 1);
        }
        throw errorAt(startLine, startColumn, "unexpected character " + printable(c));
    }

    // Takes the whole run of characters a number could be made of, then checks it against the grammar,
    // so "1.2.3" or "0x10" is one bad number rather than several confusing tokens.
    private MilToken number(int startLine, int startColumn) {
        int start = pos;
        pos++; // the sign or first digit
        while (pos < text.length()) {
            char c = text.charAt(pos);
            char prev = text.charAt(pos - 1);
            boolean exponentSign = (c == '+' || c == '-') && "eEpP".indexOf(prev) >= 0;
            if (!isIdentPart(c) && c != '.' && !exponentSign) break;
            pos++;
        }
        String number = text.substring(start, pos);
        if (!DECIMAL.matcher(number).matches() && !HEX_FLOAT.matcher(number).matches()) {
            throw errorAt(startLine, startColumn, "malformed number '" + number + "'");
        }
        return new MilToken(MilToken.Kind.NUMBER, number, startLine, startColumn, start);
    }

    private MilToken string(int startLine, int startColumn) {
        StringBuilder sb = new StringBuilder();
        int start = pos;
        pos++; // opening quote
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                return new MilToken(MilToken.Kind.STRING, sb.toString(), startLine, startColumn, start);
            }
            if (c == '\n') break;
            if (c == '\\') {
                char e = pos + 1 < text.length() ? text.charAt(pos + 1) : '\n';
                if (e == '\n') break;
                if ("\\\"'ntr".indexOf(e) < 0) throw errorAt(line, column(), "unknown escape sequence '\\" + e + "'");
                sb.append(switch (e) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    default -> e;
                });
                pos += 2;
            } else {
                sb.append(c);
                pos++;
            }
        }
        throw errorAt(startLine, startColumn, "unterminated string");
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return;
            advance();
        }
    }

    // Moves over one character, keeping track of line starts.
    private void advance() {
        if (text.charAt(pos) == '\n') {
            line++;
            lineStart = pos + 1;
        }
        pos++;
    }

    private int column() { return pos - lineStart + 1; }

    private static boolean isDigit(char c) { return c >= '0' && c <= '9'; }

    private static boolean isIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

    private static boolean isIdentPart(char c) { return isIdentStart(c) || isDigit(c) || c == '@'; }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }
}
