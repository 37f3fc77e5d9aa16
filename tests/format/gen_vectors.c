/*
 * gen_vectors: prints docs/FORMAT.md's test vectors as Markdown.
 *
 *   gen_vectors                  print the generated section to stdout
 *   gen_vectors --update FILE    replace the section between the markers
 *                                "<!-- BEGIN GENERATED VECTORS -->" and
 *                                "<!-- END GENERATED VECTORS -->" in FILE
 *
 * test_vectors checks the document against the code, so after a deliberate
 * format change run `gen_vectors --update docs/FORMAT.md` and review the diff.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "vectors.h"

#define BEGIN_MARK "<!-- BEGIN GENERATED VECTORS -->"
#define END_MARK "<!-- END GENERATED VECTORS -->"

static void print_vec(FILE *o, const struct vec *v)
{
    fprintf(o, "#### `%s`\n\n", v->name);
    if (v->note[0])
        fprintf(o, "%s\n\n", v->note);
    fprintf(o, "```text\nvector: %s\n", v->name);
    if (v->kind == VEC_TEXT) {
        fwrite(v->data, 1, v->len, o);
        fputc('\n', o);
    } else {
        for (size_t i = 0; i < v->len; i++)
            fprintf(o, "%02x%s", v->data[i], (i % 32 == 31 || i + 1 == v->len) ? "\n" : "");
    }
    fprintf(o, "```\n\n");
}

static void print_all(FILE *o, const struct vec *v, size_t n)
{
    fprintf(o, "%s\n<!-- Written by tests/format/gen_vectors; checked by test_vectors. "
               "Do not edit by hand. -->\n\n", BEGIN_MARK);
    for (size_t i = 0; i < n; i++)
        print_vec(o, &v[i]);
    fprintf(o, "%s", END_MARK);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long sz;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)sz + 1)) && fread(buf, 1, (size_t)sz, f) == (size_t)sz) {
        buf[sz] = '\0';
        *len = (size_t)sz;
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static int update(const char *path, const struct vec *v, size_t n)
{
    size_t len = 0;
    char *doc = slurp(path, &len), *b, *e;
    FILE *o;
    if (!doc || !(b = strstr(doc, BEGIN_MARK)) || !(e = strstr(b, END_MARK))) {
        fprintf(stderr, "gen_vectors: %s: cannot read it or find the markers\n", path);
        free(doc);
        return 1;
    }
    e += strlen(END_MARK);
    if (!(o = fopen(path, "wb"))) {
        free(doc);
        return 1;
    }
    fwrite(doc, 1, (size_t)(b - doc), o);
    print_all(o, v, n);
    fwrite(e, 1, len - (size_t)(e - doc), o);
    free(doc);
    return fclose(o) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    struct vec v[VEC_MAX];
    size_t n = 0;
    int ret, rc;

    if ((ret = vectors_build(v, &n)) != PORCH_OK) {
        fprintf(stderr, "gen_vectors: %s\n", porch_strerror(ret));
        return 1;
    }
    if (argc == 3 && strcmp(argv[1], "--update") == 0) {
        rc = update(argv[2], v, n);
    } else if (argc == 1) {
        print_all(stdout, v, n);
        putchar('\n');
        rc = 0;
    } else {
        fprintf(stderr, "usage: gen_vectors [--update docs/FORMAT.md]\n");
        rc = 2;
    }
    vectors_free(v, n);
    return rc;
}
