/*
 * test_server_atrest.c: "nothing readable at rest". Clips sealed from a real
 * H.264 video (remuxed to fMP4, known frames) with a META record holding
 * labels, a reason and a JPEG thumbnail, plus a notice and a half-finished
 * upload, go through the real server. Then every byte under DATA/ (SQLite
 * files including -wal, blobs, partials, the key file) and the server's log
 * is scanned for: the reason text, fMP4 box names, every 32-byte window of
 * the fMP4 pieces (so of every mdat payload), of the encoded metadata (labels)
 * and of the thumbnail. Finally every blob is offered to every key the server
 * holds (DATA/server.key): nothing is found, nothing opens.
 */
#define _GNU_SOURCE   /* nftw, memmem */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "household.h"
#include "porchlight/clip.h"
#include "porchlight/clip_meta.h"
#include "porchlight/file.h"
#include "porchlight/media.h"
#include "porchlight/notice.h"
#include "support/srvtest.h"
#include "testvideo.h"

#define WIN 32
#define REASON "person lingering at the side gate 7f3a"

struct pieces {
    uint8_t *p[64];
    size_t len[64];
    size_t n;
};

static int on_piece(void *ctx, porch_fmp4_part part, const uint8_t *data, size_t len,
                    const porch_fmp4_piece_info *info)
{
    struct pieces *ps = ctx;

    (void)part;
    (void)info;
    if (ps->n >= 64)
        return 0;
    ps->p[ps->n] = malloc(len);
    memcpy(ps->p[ps->n], data, len);
    ps->len[ps->n++] = len;
    return 0;
}

/* Needles: a set of 32-byte windows, found through a rolling hash. */
#define TAB (1u << 22)
static uint64_t *tab_hash;
static const uint8_t **tab_ptr;
static const uint64_t B = 1099511628211u;
static uint64_t b_pow;   /* B^(WIN-1) */

static uint64_t hash_win(const uint8_t *p)
{
    uint64_t h = 0;

    for (int i = 0; i < WIN; i++)
        h = h * B + p[i];
    return h;
}

/* A window of few distinct bytes (runs of zeros, padding) says nothing about
 * content and occurs in any file format: such windows are not needles. */
static int informative(const uint8_t *p)
{
    uint8_t seen[256] = { 0 };
    int distinct = 0;

    for (int i = 0; i < WIN; i++)
        distinct += !seen[p[i]]++;
    return distinct >= 8;
}

static size_t n_needles;

static void add_needle(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i + WIN <= len; i++) {
        if (!informative(p + i))
            continue;
        n_needles++;
        uint64_t h = hash_win(p + i), k = h & (TAB - 1);
        while (tab_ptr[k] && !(tab_hash[k] == h && !memcmp(tab_ptr[k], p + i, WIN)))
            k = (k + 1) & (TAB - 1);
        tab_hash[k] = h;
        tab_ptr[k] = p + i;
    }
}

static int has_window(uint64_t h, const uint8_t *p)
{
    for (uint64_t k = h & (TAB - 1); tab_ptr[k]; k = (k + 1) & (TAB - 1))
        if (tab_hash[k] == h && !memcmp(tab_ptr[k], p, WIN))
            return 1;
    return 0;
}

static size_t files_scanned, bytes_scanned, hits;

static void scan_bytes(const char *name, const uint8_t *d, size_t n)
{
    static const char *const words[] = { REASON, "ftyp", "moov", "moof", "mdat", "JFIF", NULL };
    uint64_t h;

    files_scanned++;
    bytes_scanned += n;
    for (int w = 0; words[w]; w++)
        if (memmem(d, n, words[w], strlen(words[w]))) {
            fprintf(stderr, "%s: contains \"%s\"\n", name, words[w]);
            hits++;
        }
    if (n < WIN)
        return;
    h = hash_win(d);
    for (size_t i = 0;; i++) {
        if (has_window(h, d + i)) {
            fprintf(stderr, "%s: plaintext window at offset %zu\n", name, i);
            hits++;
            return;
        }
        if (i + WIN >= n)
            break;
        h = (h - d[i] * b_pow) * B + d[i + WIN];
    }
}

static int scan_file(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    uint8_t *d = NULL;
    size_t n = 0;

    (void)st;
    (void)f;
    if (flag != FTW_F)
        return 0;
    if (porch_file_read(path, 1u << 30, &d, &n) == PORCH_OK)
        scan_bytes(path, d, n);
    free(d);
    return 0;
}

static porch_device_secret *server_key;
static size_t blobs_tried, blobs_opened;

static int try_open(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    uint8_t *d = NULL;
    size_t n = 0;
    porch_clip_key *k = NULL;

    (void)st;
    (void)f;
    if (flag != FTW_F || (!strstr(path, "/blobs/") && !strstr(path, "/partial/")))
        return 0;
    if (porch_file_read(path, 1u << 30, &d, &n) == PORCH_OK) {
        blobs_tried++;
        if (porch_clip_key_unwrap(&k, d, n, server_key) == PORCH_OK)
            blobs_opened++;
        porch_clip_key_free(k);
    }
    free(d);
    return 0;
}

static void seal_clip(struct household *h, const struct pieces *ps, const uint8_t *meta,
                      size_t meta_len, uint8_t **out, size_t *out_len, uint64_t start)
{
    porch_clip_writer *w = NULL;
    const uint8_t *p;
    size_t n, cap = 1u << 20, len = 0;
    uint8_t *buf = malloc(cap);

    REQUIRE(porch_clip_writer_new(&w, h->hub, h->roster, "front", start) == PORCH_OK);
    REQUIRE(porch_clip_writer_header(w, &p, &n) == PORCH_OK);
#define PUT(ptr, cnt)                                                     \
    do {                                                                  \
        while (len + (cnt) > cap)                                         \
            buf = realloc(buf, cap *= 2);                                 \
        memcpy(buf + len, ptr, cnt);                                      \
        len += cnt;                                                       \
    } while (0)
    PUT(p, n);
    for (size_t i = 0; i < ps->n; i++) {
        REQUIRE(porch_clip_writer_append(w, i ? PORCH_RECORD_MEDIA : PORCH_RECORD_INIT, ps->p[i],
                                         ps->len[i], &p, &n) == PORCH_OK);
        PUT(p, n);
    }
    REQUIRE(porch_clip_writer_finish(w, meta, meta_len, &p, &n) == PORCH_OK);
    PUT(p, n);
    porch_clip_writer_free(w);
    *out = buf;
    *out_len = len;
}

int main(void)
{
    struct srv s;
    struct household h;
    struct pieces ps = { .n = 0 };
    char dir[] = "/tmp/porch-atrest-XXXXXX", video[600], tok[64];
    uint8_t thumb[6000], *meta = NULL, *clip[2], *notice = NULL;
    size_t meta_len = 0, clip_len[2], notice_len = 0;
    porch_label labels[8];
    porch_clip_meta m;

    REQUIRE(porch_init() == PORCH_OK);
    REQUIRE(mkdtemp(dir));
    snprintf(video, sizeof video, "%s/v.mp4", dir);
    REQUIRE(porch_test_make_video(video, 320, 240, 60, 15, 15) == 0);
    REQUIRE(porch_media_remux(video, NULL, on_piece, &ps) == PORCH_OK);
    REQUIRE(ps.n >= 3);
    unlink(video);
    rmdir(dir);
    /* a thumbnail-shaped JPEG: markers and varied bytes (never stored in the clear) */
    for (size_t i = 0; i < sizeof thumb; i++)
        thumb[i] = (uint8_t)(i * 2654435761u >> 13);
    memcpy(thumb, "\xff\xd8\xff\xe0\x00\x10JFIF\x00", 11);
    for (int i = 0; i < 8; i++)
        labels[i] = (porch_label){ .t_ms = 100u * (unsigned)i, .cls = PORCH_CLASS_PERSON,
                                   .score = 60000, .x = 1000, .y = 2000, .w = 3000, .h = 4000,
                                   .track_id = 7 };
    memset(&m, 0, sizeof m);
    m.end_us = 4000000;
    snprintf(m.reason, sizeof m.reason, "%s", REASON);
    m.labels = labels;
    m.n_labels = 8;
    m.thumbnail = thumb;
    m.thumbnail_len = sizeof thumb;
    REQUIRE(porch_meta_encode(&m, &meta, &meta_len) == PORCH_OK);

    household_init(&h);
    const uint8_t *hh = porch_roster_household(h.roster);
    srv_start(&s, NULL);
    REQUIRE(srv_create_household(&s, h.roster) == 201);
    REQUIRE(srv_login(&s, h.hub, hh, tok) == 200);
    for (int i = 0; i < 2; i++) {
        seal_clip(&h, &ps, meta, meta_len, &clip[i], &clip_len[i], 1000000u * (unsigned)(i + 1));
        CHECK(srv_upload(&s, tok, hh, clip[i], clip_len[i]) == 201);
    }
    /* a third clip, half uploaded (a partial at rest) */
    {
        uint8_t *c3;
        size_t l3;
        porch_clip_info info;
        seal_clip(&h, &ps, meta, meta_len, &c3, &l3, 9000000);
        REQUIRE(porch_clip_header_parse(&info, c3, l3) == PORCH_OK);
        CHECK(srv_patch(&s, tok, hh, info.clip_id, c3, 0, l3 / 2, 1u << 16) == 204);
        free(c3);
    }
    uint8_t ev[16] = { 3 };
    REQUIRE(porch_notice_seal(&notice, &notice_len, h.hub, h.roster, "front", 5000, ev, &m) ==
            PORCH_OK);
    {
        char path[256];
        struct resp r;
        hh_path(path, sizeof path, hh, "/notices");
        CHECK(http(&s, "POST", path, tok, NULL, notice, notice_len, &r) == 0 && r.status == 201);
        resp_free(&r);
    }

    tab_hash = calloc(TAB, sizeof *tab_hash);
    tab_ptr = calloc(TAB, sizeof *tab_ptr);
    REQUIRE(tab_hash && tab_ptr);
    b_pow = 1;
    for (int i = 0; i < WIN - 1; i++)
        b_pow *= B;
    for (size_t i = 0; i < ps.n; i++)
        add_needle(ps.p[i], ps.len[i]);
    add_needle(meta, meta_len);
    add_needle(thumb, sizeof thumb);
    /* positive controls: the scanner finds plaintext where it is */
    scan_bytes("control: fMP4 fragment", ps.p[1], ps.len[1]);
    scan_bytes("control: metadata", meta, meta_len);
    CHECK(hits == 6);   /* per control: a window, and two of the words */
    hits = files_scanned = bytes_scanned = 0;
    /* while running (WAL present), then after a clean stop */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            srv_stop(&s);
        nftw(s.data, scan_file, 16, FTW_PHYS);
        scan_file(s.log, NULL, FTW_F, NULL);
    }
    printf("scanned %zu files, %zu bytes for %zu plaintext windows: %zu hits\n", files_scanned,
           bytes_scanned, n_needles, hits);
    CHECK(n_needles > 100000);
    CHECK(files_scanned >= 8);
    CHECK(hits == 0);
    {
        char kp[700];
        uint8_t *kf = NULL;
        size_t kl = 0;
        snprintf(kp, sizeof kp, "%s/server.key", s.data);
        REQUIRE(porch_file_read(kp, 4096, &kf, &kl) == PORCH_OK);
        REQUIRE(porch_device_unseal(&server_key, kf, kl, "", 0) == PORCH_OK);
        free(kf);
    }
    nftw(s.data, try_open, 16, FTW_PHYS);
    printf("offered %zu blobs to the server's key: %zu opened\n", blobs_tried, blobs_opened);
    CHECK(blobs_tried == 3);
    CHECK(blobs_opened == 0);
    porch_device_free(server_key);
    for (size_t i = 0; i < ps.n; i++)
        free(ps.p[i]);
    free(clip[0]);
    free(clip[1]);
    free(meta);
    free(notice);
    free(tab_hash);
    free(tab_ptr);
    srv_cleanup(&s);
    household_free(&h);
    return CHECK_DONE();
}
