/* Tokens of the MIL text dialect. Private to the parser (native/src/mil/). The input is NOT
 * NUL-terminated: every token is a (start, len) slice of it. */
#ifndef ANE4J_MIL_LEXER_H
#define ANE4J_MIL_LEXER_H

#include <stddef.h>
#include <stdint.h>

typedef enum mil_tok_kind {
    TOK_EOF, TOK_ERROR, TOK_IDENT, TOK_NUMBER, TOK_STRING,
    TOK_LPAREN, TOK_RPAREN, TOK_LBRACKET, TOK_RBRACKET, TOK_LBRACE, TOK_RBRACE,
    TOK_LT, TOK_GT, TOK_COMMA, TOK_EQUALS, TOK_SEMICOLON, TOK_ARROW, TOK_QUESTION
} mil_tok_kind;

typedef struct mil_token {
    mil_tok_kind kind;
    const char *start; /* STRING: includes the quotes */
    size_t len;
    int line, column;  /* 1-based */
    /* TOK_ERROR only: what is wrong; the lexeme is appended in quotes when show_text is set. */
    const char *error;
    int show_text;
} mil_token;

typedef struct mil_lexer {
    const char *text;
    size_t len, pos;
    int line, column;
} mil_lexer;

void mil_lexer_init(mil_lexer *lx, const char *text, size_t len);
mil_token mil_lexer_next(mil_lexer *lx);

/* Number tokens. Each returns 0 when the token's form or range does not fit the request. */
int mil_token_is_integer(const mil_token *t); /* optional '-', decimal digits only */
int mil_token_to_double(const mil_token *t, double *out);
int mil_token_to_int64(const mil_token *t, int64_t *out);
int mil_token_to_uint64(const mil_token *t, uint64_t *out);

/* Decoded content of a STRING token (escapes resolved), malloc'ed; NULL when out of memory. */
char *mil_token_string(const mil_token *t);

#endif
