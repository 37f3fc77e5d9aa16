/*
 * gen_log_vectors: prints the known-answer vectors of docs/LOG.md as
 * Markdown, or rewrites them in place:
 *
 *   gen_log_vectors                     print the vector section
 *   gen_log_vectors --update docs/LOG.md  replace the section between the markers
 *   gen_log_vectors --corpus fuzz/corpus  write fuzz/corpus/log_proofs/ seeds
 *
 * Seeds start with the selector byte fuzz_log_proofs.c reads (0 inclusion,
 * 1 consistency, 2 checkpoint, 3 entry), followed by bytes our code made.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log_vectors.h"
#include "porchlight/file.h"

#define BEGIN_MARK "<!-- BEGIN LOG VECTORS -->"
#define END_MARK "<!-- END LOG VECTORS -->"
#define SECTION_MAX 32768

static void section(const struct lv_set *s, char *out, size_t cap)
{
    char hex[4 * PORCH_LOG_PROOF_MAX_BYTES];
    size_t o = 0;

    o += (size_t)snprintf(out + o, cap - o, "%s\n<!-- Written by tests/log/gen_log_vectors; "
                                            "checked by test_log_vectors. -->\n", BEGIN_MARK);
    for (size_t i = 0; i < s->n && o < cap; i++) {
        lv_print(&s->v[i], hex, sizeof hex);
        o += (size_t)snprintf(out + o, cap - o, "\n%s\n\n```\nvector: %s\n%s\n```\n",
                              s->v[i].note, s->v[i].name, hex);
    }
    if (o < cap)
        snprintf(out + o, cap - o, "\n%s", END_MARK);
}

static int update(const char *path, const char *sec)
{
    uint8_t *doc = NULL;
    size_t len = 0;
    char *b, *e, *out;
    int ret = 1;

    if (porch_file_read(path, 1 << 20, &doc, &len) != PORCH_OK)
        return 1;
    if (!(out = realloc(doc, len + 1))) {
        free(doc);
        return 1;
    }
    doc = (uint8_t *)out;
    doc[len] = '\0';
    b = strstr((char *)doc, BEGIN_MARK);
    e = b ? strstr(b, END_MARK) : NULL;
    if (!b || !e) {
        fprintf(stderr, "%s: markers not found\n", path);
        goto out;
    }
    e += strlen(END_MARK);
    if (!(out = malloc(len + strlen(sec) + 1)))
        goto out;
    size_t head = (size_t)(b - (char *)doc), o = 0;
    memcpy(out, doc, head);
    o = head;
    memcpy(out + o, sec, strlen(sec));
    o += strlen(sec);
    memcpy(out + o, e, strlen(e));
    o += strlen(e);
    ret = porch_file_write_atomic(path, (uint8_t *)out, o, 0644) == PORCH_OK ? 0 : 1;
    free(out);
out:
    free(doc);
    return ret;
}

static int seed(const char *dir, const char *name, uint8_t sel, const uint8_t *p, size_t len)
{
    char path[4096];
    uint8_t buf[1 + PORCH_LOG_PROOF_MAX_BYTES];

    buf[0] = sel;
    memcpy(buf + 1, p, len);
    snprintf(path, sizeof path, "%s/log_proofs/%s", dir, name);
    return porch_file_write_atomic(path, buf, len + 1, 0644) == PORCH_OK ? 0 : 1;
}

/* Proofs of other shapes: edges (first/last leaf, powers of two) of a
 * 70-leaf tree of the fixed entries repeated. */
static int corpus_proofs(const char *dir, const struct lv_set *s)
{
    static const uint64_t pairs[][2] = { { 0, 1 }, { 1, 2 }, { 0, 64 }, { 63, 64 }, { 31, 70 },
                                         { 69, 70 }, { 4, 5 }, { 7, 13 } };
    uint8_t buf[PORCH_LOG_PROOF_MAX_BYTES];
    porch_log_store *st = NULL;
    porch_log_inclusion ip;
    porch_log_consistency cp;
    char name[64];
    size_t len;
    int bad = 0;

    if (porch_log_store_mem_new(&st) != PORCH_OK)
        return 1;
    for (unsigned i = 0; i < 70; i++)
        bad |= porch_log_append(st, s->entries[i % LV_ENTRIES], PORCH_LOG_ENTRY_BYTES, NULL) != 0;
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0] && !bad; i++) {
        snprintf(name, sizeof name, "inclusion-%llu-%llu", (unsigned long long)pairs[i][0],
                 (unsigned long long)pairs[i][1]);
        bad |= porch_log_prove_inclusion(st, pairs[i][0], pairs[i][1], &ip) != PORCH_OK ||
               porch_log_inclusion_encode(&ip, buf, sizeof buf, &len) != PORCH_OK ||
               seed(dir, name, 0, buf, len);
        if (pairs[i][0] == 0)
            continue;
        snprintf(name, sizeof name, "consistency-%llu-%llu", (unsigned long long)pairs[i][0],
                 (unsigned long long)pairs[i][1]);
        bad |= porch_log_prove_consistency(st, pairs[i][0], pairs[i][1], &cp) != PORCH_OK ||
               porch_log_consistency_encode(&cp, buf, sizeof buf, &len) != PORCH_OK ||
               seed(dir, name, 1, buf, len);
    }
    porch_log_store_free(st);
    return bad;
}

static int corpus(const char *dir, const struct lv_set *s)
{
    char sub[4096];
    int bad = 0;

    snprintf(sub, sizeof sub, "%s/log_proofs", dir);
    if (mkdir(sub, 0755) != 0 && errno != EEXIST)
        return 1;
    for (size_t i = 0; i < s->n; i++) {
        const struct lv *v = &s->v[i];
        uint8_t sel = strncmp(v->name, "log-inclusion", 13) == 0     ? 0
                      : strncmp(v->name, "log-consistency", 15) == 0 ? 1
                      : strncmp(v->name, "log-checkpoint", 14) == 0  ? 2
                      : strncmp(v->name, "log-entries", 11) == 0     ? 3
                                                                     : 255;
        if (sel == 3)
            bad |= seed(dir, v->name, sel, v->data, PORCH_LOG_ENTRY_BYTES);
        else if (sel != 255)
            bad |= seed(dir, v->name, sel, v->data, v->len);
    }
    return bad | corpus_proofs(dir, s);
}

int main(int argc, char **argv)
{
    static struct lv_set s;
    static char sec[SECTION_MAX];

    if (porch_init() != PORCH_OK || lv_build(&s) != PORCH_OK) {
        fprintf(stderr, "cannot compute the vectors\n");
        return 1;
    }
    section(&s, sec, sizeof sec);
    if (argc == 3 && strcmp(argv[1], "--update") == 0)
        return update(argv[2], sec);
    if (argc == 3 && strcmp(argv[1], "--corpus") == 0)
        return corpus(argv[2], &s);
    puts(sec);
    return 0;
}
