/*
 * test_log_vectors.c: docs/LOG.md and the code cannot drift apart.
 *
 * Recomputes every vector (log_vectors.c) and compares it with the
 * "vector: NAME" blocks of docs/LOG.md (found through PORCH_SOURCE_DIR),
 * in both directions. Then it uses the document's bytes the way an
 * independent client would: decodes the entries, proofs and checkpoint
 * from the text and verifies them against the document's roots and key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "log_vectors.h"
#include "porchlight/file.h"

#define DOC_MAX_BLOCKS 32

struct block {
    char name[64];
    char hex[8192];      /* hex digits only, whitespace removed */
};

static struct block blocks[DOC_MAX_BLOCKS];
static size_t n_blocks;

static void add_line(struct block *b, const char *line)
{
    size_t o = strlen(b->hex);
    for (; *line && o + 1 < sizeof b->hex; line++)
        if (*line != ' ' && *line != '\t' && *line != '\r')
            b->hex[o++] = *line;
    b->hex[o] = '\0';
}

/* Collects fenced blocks whose first line is "vector: NAME". */
static void parse_doc(char *doc)
{
    int in_fence = 0;
    struct block *cur = NULL;

    for (char *line = doc, *next; line && *line; line = next) {
        if ((next = strchr(line, '\n')))
            *next++ = '\0';
        if (strncmp(line, "```", 3) == 0) {
            in_fence = !in_fence;
            cur = NULL;
        } else if (in_fence && !cur && strncmp(line, "vector: ", 8) == 0) {
            REQUIRE(n_blocks < DOC_MAX_BLOCKS);
            cur = &blocks[n_blocks++];
            snprintf(cur->name, sizeof cur->name, "%.*s", (int)strcspn(line + 8, " \r"),
                     line + 8);
        } else if (cur) {
            add_line(cur, line);
        }
    }
}

static const struct block *doc_find(const char *name)
{
    for (size_t i = 0; i < n_blocks; i++)
        if (strcmp(blocks[i].name, name) == 0)
            return &blocks[i];
    return NULL;
}

static void strip(char *s)
{
    size_t o = 0;
    for (size_t i = 0; s[i]; i++)
        if (s[i] != '\n')
            s[o++] = s[i];
    s[o] = '\0';
}

static void test_doc_matches_code(const struct lv_set *s)
{
    static char want[8192];

    for (size_t i = 0; i < s->n; i++) {
        const struct block *b = doc_find(s->v[i].name);
        lv_print(&s->v[i], want, sizeof want);
        strip(want);
        CHECK(b != NULL);
        if (b && strcmp(b->hex, want) != 0) {
            CHECK(!"vector differs from docs/LOG.md (run gen_log_vectors --update)");
            fprintf(stderr, "  %s:\n  doc  %s\n  code %s\n", s->v[i].name, b->hex, want);
        }
        if (!b)
            fprintf(stderr, "  docs/LOG.md lacks vector: %s\n", s->v[i].name);
    }
    for (size_t i = 0; i < n_blocks; i++)
        if (!lv_find(s, blocks[i].name)) {
            CHECK(!"docs/LOG.md has a vector the code does not compute");
            fprintf(stderr, "  unknown: vector: %s\n", blocks[i].name);
        }
}

/* Decodes a block's hex; returns its length, 0 when absent or bad. */
static size_t doc_bytes(const char *name, uint8_t *out, size_t cap)
{
    const struct block *b = doc_find(name);
    size_t n = 0;

    if (!b || strlen(b->hex) % 2 || strlen(b->hex) / 2 > cap)
        return 0;
    for (const char *p = b->hex; *p; p += 2) {
        unsigned v;
        if (sscanf(p, "%2x", &v) != 1)
            return 0;
        out[n++] = (uint8_t)v;
    }
    return n;
}

/* The document alone is enough to check every claim it makes. */
static void test_from_doc_bytes(void)
{
    uint8_t entries[LV_ENTRIES * PORCH_LOG_ENTRY_BYTES], leaves[LV_ENTRIES * 32], pk[32];
    uint8_t root3[32], root7[32], buf[PORCH_LOG_PROOF_MAX_BYTES], leaf[32];
    porch_log_inclusion ip;
    porch_log_consistency cp;
    porch_log_checkpoint ck;
    porch_log_entry e;
    size_t len;

    REQUIRE(doc_bytes("log-entries-7", entries, sizeof entries) == sizeof entries);
    REQUIRE(doc_bytes("log-leaves-7", leaves, sizeof leaves) == sizeof leaves);
    REQUIRE(doc_bytes("log-root-3", root3, 32) == 32 && doc_bytes("log-root-7", root7, 32) == 32);
    REQUIRE(doc_bytes("log-server-pk", pk, 32) == 32);
    for (unsigned i = 0; i < LV_ENTRIES; i++) {
        CHECK_OK(porch_log_entry_decode(&e, entries + i * PORCH_LOG_ENTRY_BYTES,
                                        PORCH_LOG_ENTRY_BYTES));
        porch_log_leaf_hash(leaf, entries + i * PORCH_LOG_ENTRY_BYTES, PORCH_LOG_ENTRY_BYTES);
        CHECK(memcmp(leaf, leaves + i * 32, 32) == 0);
    }
    len = doc_bytes("log-inclusion-5-7", buf, sizeof buf);
    CHECK_OK(porch_log_inclusion_decode(&ip, buf, len));
    CHECK(ip.leaf_index == 5 && ip.tree_size == 7);
    CHECK_OK(porch_log_verify_inclusion(leaves + 5 * 32, &ip, root7));
    len = doc_bytes("log-consistency-3-7", buf, sizeof buf);
    CHECK_OK(porch_log_consistency_decode(&cp, buf, len));
    CHECK_OK(porch_log_verify_consistency(&cp, root3, root7));
    len = doc_bytes("log-checkpoint-7", buf, sizeof buf);
    CHECK_OK(porch_log_checkpoint_decode(&ck, buf, len));
    CHECK_OK(porch_log_checkpoint_verify(&ck, pk));
    CHECK(ck.tree_size == 7 && memcmp(ck.root, root7, 32) == 0);
    CHECK_OK(porch_log_verify_entry(&ck, pk, entries + 5 * PORCH_LOG_ENTRY_BYTES,
                                    PORCH_LOG_ENTRY_BYTES, &ip));
}

int main(void)
{
    static struct lv_set s;
    const char *src = getenv("PORCH_SOURCE_DIR");
    char path[4096];
    uint8_t *doc = NULL;
    size_t len = 0;

    REQUIRE(porch_init() == PORCH_OK);
    REQUIRE(lv_build(&s) == PORCH_OK);
    snprintf(path, sizeof path, "%s/docs/LOG.md", src ? src : ".");
    REQUIRE(porch_file_read(path, 1 << 20, &doc, &len) == PORCH_OK);
    REQUIRE((doc = realloc(doc, len + 1)) != NULL);
    doc[len] = '\0';
    parse_doc((char *)doc);
    CHECK(n_blocks >= 8);
    test_doc_matches_code(&s);
    test_from_doc_bytes();
    free(doc);
    return CHECK_DONE();
}
