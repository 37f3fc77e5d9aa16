/* testclip.c: see testclip.h. Test support: aborts on setup failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "testclip.h"

#define DIE(...) (fprintf(stderr, __VA_ARGS__), exit(1))

static void append(struct test_clip *tc, const uint8_t *p, size_t n)
{
    uint8_t *grown = realloc(tc->bytes, tc->len + n);
    if (!grown)
        DIE("out of memory\n");
    memcpy(grown + tc->len, p, n);
    tc->bytes = grown;
    tc->len += n;
}

static void add_record(struct test_clip *tc, const uint8_t *rec, size_t rec_len)
{
    tc->record_off[tc->n_records] = tc->len;
    tc->record_len[tc->n_records] = rec_len;
    tc->n_records++;
    append(tc, rec, rec_len);
}

static void seal_final(struct test_clip *tc, porch_clip_writer *w)
{
    static const uint8_t jpeg[4] = {0xFF, 0xD8, 0xFF, 0xD9};
    porch_label labels[2] = {{100, PORCH_CLASS_MOTION, 30000, 1, 2, 3, 4, 0},
                             {2100, PORCH_CLASS_PERSON, 59637, 100, 200, 3000, 9000, 7}};
    porch_clip_meta meta;
    const uint8_t *rec;
    uint8_t *enc;
    size_t enc_len, rec_len;

    memset(&meta, 0, sizeof meta);
    meta.end_us = tc->meta_end_us = 1700000009000000ull;
    snprintf(meta.reason, sizeof meta.reason, "%s",
             "person in zone porch for 2.0 s (score 0.91, track 7)");
    meta.labels = labels;
    meta.n_labels = 2;
    meta.thumbnail = jpeg;
    meta.thumbnail_len = sizeof jpeg;
    if (porch_meta_encode(&meta, &enc, &enc_len) != PORCH_OK ||
        porch_clip_writer_finish(w, enc, enc_len, &rec, &rec_len) != PORCH_OK)
        DIE("finish failed\n");
    add_record(tc, rec, rec_len);
    free(enc);
}

void test_clip_make_from(struct test_clip *tc, const porch_device_secret *hub,
                         const porch_roster *roster, const char *camera,
                         const uint8_t *const *pieces, const size_t *sizes, size_t n)
{
    porch_clip_writer *w = NULL;
    const uint8_t *p;
    size_t len;
    int ret;

    memset(tc, 0, sizeof *tc);
    if (n > TEST_CLIP_MAX_PIECES)
        DIE("too many pieces\n");
    if ((ret = porch_clip_writer_new(&w, hub, roster, camera, 1700000000000000ull)) != PORCH_OK)
        DIE("writer_new: %s\n", porch_errname(ret));
    porch_clip_writer_header(w, &p, &len);
    append(tc, p, len);
    tc->header_len = len;
    for (size_t i = 0; i < n; i++) {
        porch_record_kind kind = i == 0 ? PORCH_RECORD_INIT : PORCH_RECORD_MEDIA;
        if (porch_clip_writer_append(w, kind, pieces[i], sizes[i], &p, &len) != PORCH_OK)
            DIE("append failed\n");
        add_record(tc, p, len);
    }
    seal_final(tc, w);
    porch_clip_writer_free(w);
}

void test_clip_make(struct test_clip *tc, struct household *h, const char *camera,
                    size_t n_media, size_t base_size)
{
    const uint8_t *pieces[TEST_CLIP_MAX_PIECES] = {0};
    size_t sizes[TEST_CLIP_MAX_PIECES] = {0}, total = 0, n = n_media + 1;
    uint8_t *plain;

    if (n > TEST_CLIP_MAX_PIECES)
        DIE("too many pieces\n");
    for (size_t i = 0; i < n; i++)
        total += sizes[i] = i == 0 ? 500 : base_size + 777 * i;
    if (!(plain = malloc(total)))
        DIE("out of memory\n");
    for (size_t i = 0; i < total; i++)
        plain[i] = (uint8_t)(i * 2654435761u >> 13);
    for (size_t i = 0, off = 0; i < n; off += sizes[i], i++)
        pieces[i] = plain + off;
    test_clip_make_from(tc, h->hub, h->roster, camera, pieces, sizes, n);
    tc->plain = plain;
    tc->plain_len = total;
    for (size_t i = 0, off = 0; i < n; off += sizes[i], i++) {
        tc->piece_off[i] = off;
        tc->piece_len[i] = sizes[i];
    }
}

struct meta_find {
    porch_clip_meta **out;
    int ret;
};

static int find_meta(void *ctx, const porch_record_info *info, const uint8_t *p, size_t len)
{
    struct meta_find *f = ctx;
    if (info->kind == PORCH_RECORD_META && info->final)
        f->ret = porch_meta_decode(f->out, p, len);
    return 0;
}

int test_clip_meta(const struct test_clip *tc, const porch_clip_key *key,
                   porch_clip_meta **out)
{
    struct meta_find f = {out, PORCH_ERR_CLIP_UNFINISHED};
    int ret = porch_clip_open_all(key, tc->bytes, tc->len, find_meta, &f, NULL);
    return ret != PORCH_OK ? ret : f.ret;
}

void test_clip_free(struct test_clip *tc)
{
    free(tc->bytes);
    free(tc->plain);
    memset(tc, 0, sizeof *tc);
}
