/*
 * gen_corpus: writes the fuzz seed corpora from the fixture's fixed keys.
 *
 *   gen_corpus DIR      writes DIR/clip_reader, DIR/roster, DIR/keyfile and
 *                       DIR/clip_meta (created if missing), a few small seeds each
 *
 * The fuzz harnesses (fuzz/fuzz_*.c) use the same fixture (tests/format/
 * fixture.h), so these clips verify, unwrap and open inside the harness and
 * mutations start deep in the parsers instead of at the magic bytes.
 * Output is deterministic: rerunning rewrites identical files.
 * Usage from the source root: build/tests/format/gen_corpus fuzz/corpus
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"

static const char *out_dir;
static int failures;

static void put(const char *target, const char *name, const uint8_t *p, size_t n)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", out_dir, target);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        perror(path);
        failures++;
        return;
    }
    snprintf(path, sizeof path, "%s/%s/%s", out_dir, target, name);
    if (!(f = fopen(path, "wb")) || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        perror(path);
        failures++;
    }
}

static void need(int ret, const char *what)
{
    if (ret != PORCH_OK) {
        fprintf(stderr, "gen_corpus: %s: %s\n", what, porch_strerror(ret));
        exit(1);
    }
}

static void clip_seeds(const struct fx *f)
{
    uint8_t *clip = NULL, a[300], b[1500];
    const uint8_t *media[2] = {a, b};
    size_t len = 0, lens[2] = {sizeof a, sizeof b};
    porch_clip_info info;
    porch_record_info ri;

    need(fx_clip(f, &clip, &len), "vector clip");
    put("clip_reader", "vector-clip", clip, len);
    need(porch_clip_header_parse(&info, clip, len), "header");
    need(porch_clip_record_peek(clip + info.header_len, len - info.header_len, &ri), "peek");
    /* One record alone: the harness also opens the raw input as a record. */
    put("clip_reader", "record-init", clip + info.header_len, ri.record_len);
    /* Cut at a record boundary: no final record. */
    put("clip_reader", "unfinished", clip, info.header_len + ri.record_len);
    put("clip_reader", "header-only", clip, info.header_len);
    free(clip);

    for (size_t i = 0; i < sizeof a; i++)
        a[i] = (uint8_t)(i * 7);
    for (size_t i = 0; i < sizeof b; i++)
        b[i] = (uint8_t)(i ^ 0x5a);
    need(fx_clip_ex(f, media, lens, 2, &clip, &len), "clip with media");
    put("clip_reader", "with-media", clip, len);
    free(clip);
}

static void roster_seeds(const struct fx *f)
{
    porch_device_secret *member2 = NULL;
    porch_roster *r = NULL;
    uint8_t *file = NULL;
    size_t len = 0;

    need(porch_roster_encode(f->roster2, &file, &len), "roster2");
    put("roster", "genesis-add", file, len);
    free(file);
    need(porch_roster_encode(f->roster3, &file, &len), "roster3");
    put("roster", "with-hub", file, len);
    free(file);
    /* Every entry type: genesis, add x2, rotate, remove. */
    need(fx_roster(&r, f, 1), "roster");
    need(fx_device(&member2, "member-laptop-2", 0x41, 0x61), "member2");
    need(porch_roster_rotate(r, f->owner, porch_device_public_of(f->member)->sign_pk,
                             porch_device_public_of(member2), FX_T_ADD_HUB + 60),
         "rotate");
    need(porch_roster_remove(r, f->owner, porch_device_public_of(f->hub)->sign_pk,
                             FX_T_ADD_HUB + 120),
         "remove");
    need(porch_roster_encode(r, &file, &len), "roster5");
    put("roster", "all-types", file, len);
    free(file);
    porch_roster_free(r);
    porch_device_free(member2);
}

static void keyfile_seeds(const struct fx *f)
{
    uint8_t file[PORCH_PUBLIC_FILE_MAX], *sec = NULL, salt[16], nonce[24];
    size_t len = 0;

    need(porch_public_encode(porch_device_public_of(f->owner), file, sizeof file, &len), "pub");
    put("keyfile", "public-owner", file, len);
    need(porch_public_encode(porch_device_public_of(f->hub), file, sizeof file, &len), "pub");
    put("keyfile", "public-hub", file, len);
    fx_count(salt, sizeof salt, FX_SALT);
    fx_count(nonce, sizeof nonce, FX_NONCE);
    need(porch__device_seal_with(f->owner, FX_PASSPHRASE, strlen(FX_PASSPHRASE),
                                 crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_MEMLIMIT_INTERACTIVE, salt, nonce, &sec, &len),
         "seal");
    put("keyfile", "secret-owner-interactive", sec, len);
    /* Same file with MODERATE parameters in the clear part: parses, never unsealed. */
    sec[12] = (uint8_t)crypto_pwhash_OPSLIMIT_MODERATE;
    put("keyfile", "secret-moderate-params", sec, len);
    free(sec);
}

static void meta_seeds(void)
{
    static const uint8_t jpeg[6] = {0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xD9};
    porch_label labels[3] = {{0, PORCH_CLASS_MOTION, 1000, 0, 0, 65535, 65535, 0},
                             {1500, PORCH_CLASS_PERSON, 58982, 1000, 2000, 3000, 4000, 7},
                             {9000, PORCH_CLASS_FACE, 65535, 10, 20, 30, 40, 7}};
    porch_clip_meta meta;
    uint8_t *enc = NULL, *more;
    size_t len = 0;

    need(fx_meta(&enc, &len), "meta");
    put("clip_meta", "vector-meta", enc, len);
    /* An unknown item type 9 after the known ones: readers skip it. */
    if ((more = malloc(len + 10))) {
        memcpy(more, enc, len);
        memcpy(more + len, "\x09\x00\x04\x00\x00\x00" "abcd", 10);
        put("clip_meta", "unknown-item", more, len + 10);
        free(more);
    }
    free(enc);
    memset(&meta, 0, sizeof meta);
    need(porch_meta_encode(&meta, &enc, &len), "empty meta");
    put("clip_meta", "empty", enc, len);
    free(enc);
    meta.end_us = FX_CLIP_END_US;
    memcpy(meta.reason, "person", 7);
    meta.labels = labels;
    meta.n_labels = 3;
    meta.thumbnail = jpeg;
    meta.thumbnail_len = sizeof jpeg;
    need(porch_meta_encode(&meta, &enc, &len), "full meta");
    put("clip_meta", "labels-thumbnail", enc, len);
    free(enc);
}

int main(int argc, char **argv)
{
    struct fx f;

    if (argc != 2) {
        fprintf(stderr, "usage: gen_corpus DIR   (e.g. fuzz/corpus)\n");
        return 2;
    }
    out_dir = argv[1];
    if (mkdir(out_dir, 0755) != 0 && errno != EEXIST) {
        perror(out_dir);
        return 1;
    }
    need(fx_init(&f), "fixture");
    clip_seeds(&f);
    roster_seeds(&f);
    keyfile_seeds(&f);
    meta_seeds();
    fx_free(&f);
    return failures ? 1 : 0;
}
