/* SHA-256 against the FIPS 180-4 / NIST example vectors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "test.h"

static void hex(const uint8_t d[32], char out[65]) {
    for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void check_digest(const void *msg, size_t len, const char *want) {
    sha256_ctx c;
    uint8_t d[32];
    char got[65];
    sha256_init(&c);
    sha256_update(&c, msg, len);
    sha256_final(&c, d);
    hex(d, got);
    CHECK_MSG(!strcmp(got, want), "sha256 of %zu bytes: %s, expected %s", len, got, want);
}

TEST(sha256_nist_vectors) {
    check_digest("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check_digest("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check_digest(m448, strlen(m448), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
                       "mnopqrstnopqrstu";
    check_digest(m896, strlen(m896), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    char *million = malloc(1000000);
    memset(million, 'a', 1000000);
    check_digest(million, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(million);
}

TEST(sha256_incremental_updates_in_odd_pieces_equal_one_shot) {
    /* One million 'a' fed in pieces of 1, 63, 64, 65, 127 ... bytes crosses every block boundary case. */
    char piece[300];
    memset(piece, 'a', sizeof piece);
    sha256_ctx c;
    sha256_init(&c);
    size_t done = 0, sizes[] = { 1, 63, 64, 65, 127, 0, 55, 56, 57, 300 };
    for (int i = 0; done < 1000000; i = (i + 1) % 10) {
        size_t n = sizes[i] < 1000000 - done ? sizes[i] : 1000000 - done;
        sha256_update(&c, piece, n);
        done += n;
    }
    uint8_t d[32];
    char got[65];
    sha256_final(&c, d);
    hex(d, got);
    CHECK(!strcmp(got, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
}
