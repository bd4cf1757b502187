package io.github.ane4j.mil;

/**
 * One lexical token of MIL text with its 1-based position.
 *
 * @param kind   what the token is
 * @param text   its characters as written; for {@link Kind#STRING} the contents without quotes, escapes
 *               resolved; empty for {@link Kind#END}
 * @param line   1-based line of its first character
 * @param column 1-based column of its first character
 * @param offset index of its first character in the text
 */
record MilToken(Kind kind, String text, int line, int column, int offset) {
    enum Kind { IDENT, NUMBER, STRING, PUNCT, END }

    boolean is(String punctOrIdent) {
        return (kind == Kind.PUNCT || kind == Kind.IDENT) && text.equals(punctOrIdent);
    }

    /** How the token reads in an error message. */
    String describe() {
        return switch (kind) {
            case END -> "end of input";
            case STRING -> "string \"" + text + "\"";
            default -> "'" + text + "'";
        };
    }
}
