/*
 * test_clip_tamper.c: the tamper matrix. Every way of damaging a clip is
 * rejected, each with its own specific error:
 *   header   every byte flipped, region by region
 *   records  framing bytes and ciphertext bytes of every record, metadata included
 *   sequence truncation at every boundary and inside records; records dropped,
 *            duplicated, reordered; records spliced between clips; headers swapped
 *   keys     wrong recipient, removed recipient, wrap that does not decrypt,
 *            a second key under a valid signature (key commitment)
 *   signer   forged hub signature, a signer that is not a hub, wraps that
 *            differ from the roster, a roster state the reader has never seen
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "crypto/identity_internal.h"
#include "format/clip_internal.h"
#include "household.h"
#include "testclip.h"

static int ignore_record(void *ctx, const porch_record_info *info, const uint8_t *p, size_t n)
{
    (void)ctx, (void)info, (void)p, (void)n;
    return 0;
}

/* Everything a viewer does before trusting a clip; returns the first error. */
static int open_pipeline(const uint8_t *b, size_t len, const porch_device_secret *viewer,
                         const porch_roster *roster)
{
    porch_clip_info info;
    porch_clip_key *key = NULL;
    int ret;

    if ((ret = porch_clip_header_parse(&info, b, len)) != PORCH_OK ||
        (ret = porch_clip_header_check_roster(b, len, roster)) != PORCH_OK ||
        (ret = porch_clip_key_unwrap(&key, b, len, viewer)) != PORCH_OK)
        return ret;
    ret = porch_clip_open_all(key, b, len, ignore_record, NULL, NULL);
    porch_clip_key_free(key);
    return ret;
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    REQUIRE(d);
    memcpy(d, p, n);
    return d;
}

/* Expected error when byte i of the header (camera "front", 2 wraps) flips bit 0. */
static int header_flip_expect(size_t i, size_t header_len)
{
    const size_t cam_len_at = 192, n_wraps_at = 192 + 1 + 5;
    if (i < 8)
        return PORCH_ERR_BAD_MAGIC;
    if (i < 10)
        return PORCH_ERR_BAD_VERSION;
    if (i < 12)
        return PORCH_ERR_MALFORMED;             /* reserved */
    if (i < 14)
        return PORCH_ERR_MALFORMED;             /* header_len off by 1 or 256 */
    if (i < 16)
        return PORCH_ERR_TOO_LARGE;             /* header_len beyond the cap */
    if (i == cam_len_at)
        return PORCH_ERR_TOO_LARGE;             /* "fron", then n_wraps = "t\x02" = 628 */
    if (i == n_wraps_at)
        return PORCH_ERR_MALFORMED;             /* 3 wraps do not fit */
    if (i == n_wraps_at + 1)
        return PORCH_ERR_TOO_LARGE;             /* 258 wraps */
    (void)header_len;
    return PORCH_ERR_HEADER_SIGNATURE;          /* fields, camera, wraps, signature */
}

static void test_header_bytes(struct household *h, const struct test_clip *tc)
{
    for (size_t i = 0; i < tc->header_len; i++) {
        uint8_t *b = dup_bytes(tc->bytes, tc->len);
        b[i] ^= 0x01;
        int got = open_pipeline(b, tc->len, h->member, h->roster);
        int want = header_flip_expect(i, tc->header_len);
        if (got != want)
            fprintf(stderr, "header byte %zu: got %s want %s\n", i, porch_errname(got),
                    porch_errname(want));
        CHECK(got == want);
        free(b);
    }
}

/* Flip one byte at offset off (within record r) and expect err. */
static void flip_record_byte(struct household *h, const struct test_clip *tc, size_t r,
                             size_t off, int want)
{
    uint8_t *b = dup_bytes(tc->bytes, tc->len);
    b[tc->record_off[r] + off] ^= 0x01;
    int got = open_pipeline(b, tc->len, h->member, h->roster);
    if (got != want)
        fprintf(stderr, "record %zu byte %zu: got %s want %s\n", r, off, porch_errname(got),
                porch_errname(want));
    CHECK(got == want);
    free(b);
}

static void test_record_bytes(struct household *h, const struct test_clip *tc)
{
    for (size_t r = 0; r < tc->n_records; r++) {
        int last = r + 1 == tc->n_records;
        size_t len = tc->record_len[r];
        /* index ^ 1 repeats a neighbour's; +256 and +65536 leave a gap;
         * +2^24 is beyond the record cap. */
        flip_record_byte(h, tc, r, 0, PORCH_ERR_RECORD_ORDER);
        flip_record_byte(h, tc, r, 1, PORCH_ERR_RECORD_MISSING);
        flip_record_byte(h, tc, r, 2, PORCH_ERR_RECORD_MISSING);
        flip_record_byte(h, tc, r, 3, PORCH_ERR_TOO_LARGE);
        flip_record_byte(h, tc, r, 4,
                         last ? PORCH_ERR_CLIP_UNFINISHED : PORCH_ERR_AFTER_FINAL);
        for (size_t off = 5; off < 8; off++)
            flip_record_byte(h, tc, r, off, PORCH_ERR_MALFORMED);
        /* sealed_len + 1 (padded lengths are even): the next framing is read
         * one byte late and its reserved bytes are not zero; the last record
         * runs past the end instead. */
        flip_record_byte(h, tc, r, 8, last ? PORCH_ERR_TRUNCATED : PORCH_ERR_MALFORMED);
        /* Ciphertext: first, middle, last byte (the tag), metadata included. */
        flip_record_byte(h, tc, r, 12, PORCH_ERR_RECORD_AUTH);
        flip_record_byte(h, tc, r, 12 + (len - 12) / 2, PORCH_ERR_RECORD_AUTH);
        flip_record_byte(h, tc, r, len - 1, PORCH_ERR_RECORD_AUTH);
    }
}

static void test_truncation(struct household *h, const struct test_clip *tc)
{
    CHECK_ERR(open_pipeline(tc->bytes, 0, h->member, h->roster), PORCH_ERR_TRUNCATED);
    CHECK_ERR(open_pipeline(tc->bytes, 100, h->member, h->roster), PORCH_ERR_TRUNCATED);
    CHECK_ERR(open_pipeline(tc->bytes, tc->header_len - 1, h->member, h->roster),
              PORCH_ERR_TRUNCATED);
    for (size_t r = 0; r < tc->n_records; r++) {
        size_t at = tc->record_off[r];
        CHECK_ERR(open_pipeline(tc->bytes, at, h->member, h->roster),
                  PORCH_ERR_CLIP_UNFINISHED);
        CHECK_ERR(open_pipeline(tc->bytes, at + 5, h->member, h->roster),
                  PORCH_ERR_TRUNCATED);
        CHECK_ERR(open_pipeline(tc->bytes, at + tc->record_len[r] - 1, h->member, h->roster),
                  PORCH_ERR_TRUNCATED);
    }
    CHECK_OK(open_pipeline(tc->bytes, tc->len, h->member, h->roster));
}

/* Rebuilds the clip from its header and the records listed in order[]. */
static uint8_t *rebuild(const struct test_clip *tc, const uint8_t *header, size_t header_len,
                        const struct test_clip *const *src, const size_t *order, size_t n,
                        size_t *out_len)
{
    size_t total = header_len;
    for (size_t i = 0; i < n; i++)
        total += src[i]->record_len[order[i]];
    uint8_t *b = malloc(total);
    REQUIRE(b);
    memcpy(b, header, header_len);
    *out_len = header_len;
    for (size_t i = 0; i < n; i++) {
        memcpy(b + *out_len, src[i]->bytes + src[i]->record_off[order[i]],
               src[i]->record_len[order[i]]);
        *out_len += src[i]->record_len[order[i]];
    }
    (void)tc;
    return b;
}

static void expect_sequence(struct household *h, const struct test_clip *tc,
                            const struct test_clip *const *src, const size_t *order, size_t n,
                            int want, const char *what)
{
    size_t len;
    uint8_t *b = rebuild(tc, tc->bytes, tc->header_len, src, order, n, &len);
    int got = open_pipeline(b, len, h->member, h->roster);
    if (got != want)
        fprintf(stderr, "%s: got %s want %s\n", what, porch_errname(got), porch_errname(want));
    CHECK(got == want);
    free(b);
}

static void test_sequences(struct household *h, const struct test_clip *a,
                           const struct test_clip *b)
{
    const struct test_clip *aa[8] = {a, a, a, a, a, a, a, a};
    const struct test_clip *ab[6] = {a, a, b, a, a, a};
    const size_t identity[6] = {0, 1, 2, 3, 4, 5};
    const size_t drop_mid[5] = {0, 1, 3, 4, 5}, drop_init[5] = {1, 2, 3, 4, 5};
    const size_t dup[7] = {0, 1, 2, 2, 3, 4, 5}, swap[6] = {0, 2, 1, 3, 4, 5};
    const size_t final_first[6] = {5, 0, 1, 2, 3, 4}, dup_final[7] = {0, 1, 2, 3, 4, 5, 5};

    REQUIRE(a->n_records == 6 && b->n_records == 6);
    expect_sequence(h, a, aa, identity, 6, PORCH_OK, "identity");
    expect_sequence(h, a, aa, drop_mid, 5, PORCH_ERR_RECORD_MISSING, "drop middle");
    expect_sequence(h, a, aa, drop_init, 5, PORCH_ERR_RECORD_MISSING, "drop init");
    expect_sequence(h, a, aa, identity, 5, PORCH_ERR_CLIP_UNFINISHED, "drop final");
    expect_sequence(h, a, aa, dup, 7, PORCH_ERR_RECORD_ORDER, "duplicate");
    expect_sequence(h, a, aa, swap, 6, PORCH_ERR_RECORD_ORDER, "swap");
    expect_sequence(h, a, aa, final_first, 6, PORCH_ERR_AFTER_FINAL, "final first");
    expect_sequence(h, a, aa, dup_final, 7, PORCH_ERR_AFTER_FINAL, "final twice");
    expect_sequence(h, a, ab, identity, 6, PORCH_ERR_RECORD_AUTH, "splice record from B");

    /* B's header with A's records: every record is bound to A's header. */
    size_t len;
    uint8_t *x = rebuild(a, b->bytes, b->header_len, aa, identity, 6, &len);
    CHECK_ERR(open_pipeline(x, len, h->member, h->roster), PORCH_ERR_RECORD_AUTH);
    free(x);
}

static void test_recipients(struct household *h, const struct test_clip *tc)
{
    porch_clip_key *key = NULL;
    porch_roster_head head;
    CHECK_ERR(open_pipeline(tc->bytes, tc->len, h->outsider, h->roster),
              PORCH_ERR_NOT_RECIPIENT);
    CHECK_ERR(open_pipeline(tc->bytes, tc->len, h->back, h->roster), PORCH_ERR_NOT_RECIPIENT);
    CHECK_ERR(open_pipeline(tc->bytes, tc->len, h->hub, h->roster), PORCH_ERR_NOT_RECIPIENT);

    /* Remove the member: clips from before still open for it (revocation is
     * forward-only, by design); clips from after are not wrapped for it. */
    uint8_t *enc;
    size_t enc_len;
    porch_roster *r2 = NULL;
    REQUIRE(porch_roster_encode(h->roster, &enc, &enc_len) == PORCH_OK);
    porch_roster_get_head(h->roster, &head);
    REQUIRE(porch_roster_load(&r2, enc, enc_len, porch_roster_owner(h->roster), &head, NULL) ==
            PORCH_OK);
    free(enc);
    REQUIRE(porch_roster_remove(r2, h->owner, porch_device_public_of(h->member)->sign_pk,
                                2000) == PORCH_OK);
    CHECK_OK(open_pipeline(tc->bytes, tc->len, h->member, r2));

    struct test_clip after;
    const uint8_t piece[3] = {1, 2, 3};
    const uint8_t *pieces[1] = {piece};
    size_t sizes[1] = {3};
    test_clip_make_from(&after, h->hub, r2, "front", pieces, sizes, 1);
    CHECK_ERR(open_pipeline(after.bytes, after.len, h->member, r2), PORCH_ERR_NOT_RECIPIENT);
    CHECK_OK(open_pipeline(after.bytes, after.len, h->owner, r2));
    /* A reader whose roster predates the clip's cannot place it. */
    CHECK_ERR(open_pipeline(after.bytes, after.len, h->owner, h->roster),
              PORCH_ERR_ROSTER_UNKNOWN_HEAD);
    CHECK_ERR(porch_clip_key_unwrap(&key, after.bytes, after.len, h->member),
              PORCH_ERR_NOT_RECIPIENT);
    test_clip_free(&after);
    porch_roster_free(r2);
}

/*
 * Builds a header signed by `signer` claiming hub key `claimed`, for viewers,
 * with content keys chosen per viewer (differing keys = a multi-key attack).
 */
static uint8_t *forge_header(struct household *h, const porch_device_secret *signer,
                             const uint8_t claimed[32], const porch_device_public *viewers,
                             size_t n, int second_key_for_last, size_t *len)
{
    struct clip_random rnd;
    porch_clip_info info;
    uint8_t *hdr = NULL;

    memset(&rnd, 7, sizeof rnd);
    memset(&info, 0, sizeof info);
    memcpy(info.household, porch_roster_household(h->roster), 16);
    memset(info.clip_id, 9, sizeof info.clip_id);
    strcpy(info.camera, "front");
    memcpy(info.hub_sign_pk, claimed, 32);
    porch_roster_get_head(h->roster, &info.roster);
    REQUIRE(porch__clip_header_build(&info, &rnd, viewers, n, signer, &hdr, len) == PORCH_OK);
    if (second_key_for_last) {
        uint8_t eph_pk[32], *wrap = hdr + *len - 64 - CLIP_WRAP_BYTES;
        crypto_scalarmult_curve25519_base(eph_pk, rnd.eph_sk);
        rnd.content_key[0] ^= 1;
        REQUIRE(porch__clip_wrap(wrap, &rnd, eph_pk, &info, viewers[n - 1].box_pk) ==
                PORCH_OK);
        REQUIRE(porch__sign_domain(signer, "porchlight/v1/clip-header", hdr, *len - 64,
                                   hdr + *len - 64) == PORCH_OK);
    }
    return hdr;
}

static void test_signers(struct household *h)
{
    porch_device_public v[3] = {*porch_device_public_of(h->owner),
                                *porch_device_public_of(h->member),
                                *porch_device_public_of(h->outsider)};
    const uint8_t *hub_pk = porch_device_public_of(h->hub)->sign_pk;
    const uint8_t *outsider_pk = porch_device_public_of(h->outsider)->sign_pk;
    const uint8_t *member_pk = porch_device_public_of(h->member)->sign_pk;
    porch_clip_key *key = NULL;
    size_t len;
    uint8_t *x;

    x = forge_header(h, h->outsider, hub_pk, v, 2, 0, &len);
    CHECK_ERR(open_pipeline(x, len, h->member, h->roster), PORCH_ERR_HEADER_SIGNATURE);
    free(x);
    x = forge_header(h, h->outsider, outsider_pk, v, 2, 0, &len);
    CHECK_ERR(open_pipeline(x, len, h->member, h->roster), PORCH_ERR_HUB_NOT_ALLOWED);
    free(x);
    x = forge_header(h, h->member, member_pk, v, 2, 0, &len);
    CHECK_ERR(open_pipeline(x, len, h->member, h->roster), PORCH_ERR_HUB_NOT_ALLOWED);
    free(x);
    x = forge_header(h, h->hub, hub_pk, v, 3, 0, &len);  /* an extra viewer */
    CHECK_ERR(porch_clip_header_check_roster(x, len, h->roster), PORCH_ERR_WRAPS_MISMATCH);
    free(x);
    x = forge_header(h, h->hub, hub_pk, v, 1, 0, &len);  /* a viewer left out */
    CHECK_ERR(porch_clip_header_check_roster(x, len, h->roster), PORCH_ERR_WRAPS_MISMATCH);
    free(x);
    x = forge_header(h, h->hub, hub_pk, v, 2, 1, &len);  /* member gets another key */
    CHECK_OK(porch_clip_header_check_roster(x, len, h->roster));
    CHECK_ERR(porch_clip_key_unwrap(&key, x, len, h->member), PORCH_ERR_KEY_COMMITMENT);
    CHECK_OK(porch_clip_key_unwrap(&key, x, len, h->owner));
    porch_clip_key_free(key);
    key = NULL;
    /* A wrap that does not decrypt, under a valid signature. */
    x[len - 64 - 1] ^= 1;
    REQUIRE(porch__sign_domain(h->hub, "porchlight/v1/clip-header", x, len - 64, x + len - 64) ==
            PORCH_OK);
    CHECK_ERR(porch_clip_key_unwrap(&key, x, len, h->member), PORCH_ERR_WRAP_AUTH);
    free(x);
}

/* Bytes a parser must not let through even under a valid signature. */
static void test_canonical(struct household *h, const struct test_clip *tc)
{
    uint8_t *b = dup_bytes(tc->bytes, tc->len);
    b[192 + 1 + 2] = 0; /* "fr\0nt": a NUL would hide the rest of the camera id */
    CHECK_ERR(open_pipeline(b, tc->len, h->member, h->roster), PORCH_ERR_MALFORMED);
    free(b);
}

/* A clip whose final record is not metadata, sealed with the right key. */
static void test_final_kind(struct household *h)
{
    struct clip_random rnd;
    porch_clip_writer *w = NULL;
    porch_clip_info info;
    const uint8_t *hdr;
    uint8_t record_key[32], rec[512], *clip;
    size_t hdr_len, rec_len;
    const uint8_t payload[4] = {1, 2, 3, 4};

    memset(&rnd, 3, sizeof rnd);
    REQUIRE(porch__clip_writer_new_with(&w, h->hub, h->roster, "front", 1, &rnd) == PORCH_OK);
    porch_clip_writer_header(w, &hdr, &hdr_len);
    porch_clip_writer_info(w, &info);
    porch__clip_record_key(record_key, rnd.content_key);
    REQUIRE(porch__record_seal(rec, sizeof rec, &rec_len, record_key, info.header_hash, 0, 1,
                               PORCH_RECORD_INIT, payload, sizeof payload) == PORCH_OK);
    clip = malloc(hdr_len + rec_len);
    REQUIRE(clip);
    memcpy(clip, hdr, hdr_len);
    memcpy(clip + hdr_len, rec, rec_len);
    CHECK_ERR(open_pipeline(clip, hdr_len + rec_len, h->member, h->roster), PORCH_ERR_MALFORMED);
    free(clip);
    porch_clip_writer_free(w);
}

int main(void)
{
    struct household h;
    struct test_clip a, b;

    household_init(&h);
    test_clip_make(&a, &h, "front", 4, 700);
    test_clip_make(&b, &h, "front", 4, 700);
    REQUIRE(a.header_len == b.header_len);
    test_header_bytes(&h, &a);
    test_record_bytes(&h, &a);
    test_truncation(&h, &a);
    test_sequences(&h, &a, &b);
    test_recipients(&h, &a);
    test_signers(&h);
    test_canonical(&h, &a);
    test_final_kind(&h);
    test_clip_free(&a);
    test_clip_free(&b);
    household_free(&h);
    return CHECK_DONE();
}
