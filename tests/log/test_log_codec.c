/*
 * test_log_codec.c: the byte formats (entries, proofs, checkpoints) are
 * strict: round trips are exact, every truncation and every out-of-range
 * field is refused with its documented code, outputs are zeroed on failure,
 * and a checkpoint with any bit changed does not verify.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "crypto/identity_internal.h"
#include "porchlight/log.h"
#include "util/bytes.h"

static porch_device_secret *server, *other;
static const uint8_t household[16] = { 'h', 'o', 'u', 's', 'e', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };

static int all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

static void make_entry(porch_log_entry *e, unsigned i)
{
    memset(e, 0, sizeof *e);
    memcpy(e->household, household, 16);
    e->kind = (porch_log_kind)(1 + i % 6);
    memset(e->object_id, (int)i, sizeof e->object_id);
    memcpy(e->reader_pk, porch_device_public_of(other)->sign_pk, 32);
    e->time_us = UINT64_C(1764000000000000) + i;
}

static void test_entry(void)
{
    uint8_t buf[PORCH_LOG_ENTRY_BYTES + 1];
    porch_log_entry e, d;

    make_entry(&e, 3);
    e.time_us = UINT64_C(0x0102030405060708);
    CHECK_OK(porch_log_entry_encode(&e, buf));
    CHECK(buf[0] == 1 && buf[1] == 4 && buf[66] == 0x08 && buf[73] == 0x01);
    CHECK(memcmp(buf + 2, household, 16) == 0 && buf[18] == 3 && buf[34] == e.reader_pk[0]);
    CHECK_OK(porch_log_entry_decode(&d, buf, PORCH_LOG_ENTRY_BYTES));
    CHECK(memcmp(&d, &e, sizeof d) == 0);
    for (size_t n = 0; n < PORCH_LOG_ENTRY_BYTES; n++) {
        CHECK_ERR(porch_log_entry_decode(&d, buf, n), PORCH_ERR_TRUNCATED);
        CHECK(all_zero(&d, sizeof d));
    }
    CHECK_ERR(porch_log_entry_decode(&d, buf, PORCH_LOG_ENTRY_BYTES + 1), PORCH_ERR_TRAILING_DATA);
    buf[0] = 2;
    CHECK_ERR(porch_log_entry_decode(&d, buf, PORCH_LOG_ENTRY_BYTES), PORCH_ERR_BAD_VERSION);
    buf[0] = 1;
    for (unsigned k = 0; k < 256; k++) {
        buf[1] = (uint8_t)k;
        CHECK_ERR(porch_log_entry_decode(&d, buf, PORCH_LOG_ENTRY_BYTES),
                  k >= 1 && k <= 6 ? PORCH_OK : PORCH_ERR_MALFORMED);
    }
    e.kind = (porch_log_kind)7;
    CHECK_ERR(porch_log_entry_encode(&e, buf), PORCH_ERR_INVALID_ARG);
    e.kind = (porch_log_kind)0;
    CHECK_ERR(porch_log_entry_encode(&e, buf), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_log_entry_decode(NULL, buf, 74), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_log_entry_decode(&d, NULL, 74), PORCH_ERR_INVALID_ARG);
}

static porch_log_store *make_store(unsigned n)
{
    porch_log_store *s = NULL;
    uint8_t buf[PORCH_LOG_ENTRY_BYTES];
    porch_log_entry e;

    REQUIRE(porch_log_store_mem_new(&s) == PORCH_OK);
    for (unsigned i = 0; i < n; i++) {
        make_entry(&e, i);
        REQUIRE(porch_log_entry_encode(&e, buf) == PORCH_OK);
        REQUIRE(porch_log_append(s, buf, sizeof buf, NULL) == PORCH_OK);
    }
    return s;
}

/* Patches the u64 at off and decodes; returns the decoder's code. */
static int incl_with(uint8_t *buf, size_t len, size_t off, uint64_t v)
{
    porch_log_inclusion p;
    uint8_t save[8];
    int ret;

    memcpy(save, buf + off, 8);
    porch__store_u64(buf + off, v);
    ret = porch_log_inclusion_decode(&p, buf, len);
    memcpy(buf + off, save, 8);
    return ret;
}

static int cons_with(uint8_t *buf, size_t len, uint64_t a, uint64_t b)
{
    porch_log_consistency p;
    uint8_t save[16];
    int ret;

    memcpy(save, buf + 2, 16);
    porch__store_u64(buf + 2, a);
    porch__store_u64(buf + 10, b);
    ret = porch_log_consistency_decode(&p, buf, len);
    memcpy(buf + 2, save, 16);
    return ret;
}

static void test_inclusion_codec(const porch_log_store *s)
{
    uint8_t buf[PORCH_LOG_PROOF_MAX_BYTES + 1];
    porch_log_inclusion p, d;
    porch_log_consistency c;
    size_t len = 0;

    CHECK_OK(porch_log_prove_inclusion(s, 5, 13, &p));
    CHECK_OK(porch_log_inclusion_encode(&p, buf, sizeof buf, &len));
    CHECK(len == 19 + 32u * p.n_hashes && buf[0] == 1 && buf[1] == 1 && buf[18] == p.n_hashes);
    CHECK_OK(porch_log_inclusion_decode(&d, buf, len));
    CHECK(d.leaf_index == 5 && d.tree_size == 13 && d.n_hashes == p.n_hashes);
    CHECK(memcmp(d.hashes, p.hashes, 32u * p.n_hashes) == 0);
    for (size_t n = 0; n < len; n++) {
        CHECK_ERR(porch_log_inclusion_decode(&d, buf, n), PORCH_ERR_TRUNCATED);
        CHECK(all_zero(&d, sizeof d));
    }
    buf[len] = 0;
    CHECK_ERR(porch_log_inclusion_decode(&d, buf, len + 1), PORCH_ERR_TRAILING_DATA);
    CHECK_ERR(porch_log_consistency_decode(&c, buf, len), PORCH_ERR_BAD_MAGIC);
    buf[0] = 2;
    CHECK_ERR(porch_log_inclusion_decode(&d, buf, len), PORCH_ERR_BAD_VERSION);
    buf[0] = 1;
    CHECK_ERR(incl_with(buf, len, 2, 13), PORCH_ERR_MALFORMED);          /* index == size */
    CHECK_ERR(incl_with(buf, len, 2, UINT64_MAX), PORCH_ERR_MALFORMED);
    CHECK_ERR(incl_with(buf, len, 10, PORCH_LOG_MAX_TREE_SIZE), PORCH_ERR_TOO_LARGE);
    CHECK_ERR(incl_with(buf, len, 10, UINT64_MAX), PORCH_ERR_TOO_LARGE);
    CHECK_OK(incl_with(buf, len, 10, PORCH_LOG_MAX_TREE_SIZE - 1));      /* format-valid */
    CHECK_ERR(porch_log_inclusion_encode(&p, buf, len - 1, &len), PORCH_ERR_TOO_LARGE);
    CHECK(len == 0);
}

/* 64 hashes is the cap: encodable and decodable; 65 is refused both ways. */
static void test_proof_caps(void)
{
    static uint8_t buf[PORCH_LOG_PROOF_MAX_BYTES + 32];
    porch_log_inclusion p;
    porch_log_consistency c;
    size_t len = 0;

    memset(&p, 0, sizeof p);
    p.tree_size = 1;
    p.n_hashes = PORCH_LOG_MAX_PROOF;
    CHECK_OK(porch_log_inclusion_encode(&p, buf, sizeof buf, &len));
    CHECK(len == PORCH_LOG_PROOF_MAX_BYTES);
    CHECK_OK(porch_log_inclusion_decode(&p, buf, len));
    buf[18] = PORCH_LOG_MAX_PROOF + 1;
    CHECK_ERR(porch_log_inclusion_decode(&p, buf, sizeof buf), PORCH_ERR_TOO_LARGE);
    buf[18] = 255;
    CHECK_ERR(porch_log_inclusion_decode(&p, buf, sizeof buf), PORCH_ERR_TOO_LARGE);
    p.n_hashes = PORCH_LOG_MAX_PROOF + 1;
    CHECK_ERR(porch_log_inclusion_encode(&p, buf, sizeof buf, &len), PORCH_ERR_INVALID_ARG);
    memset(&c, 0, sizeof c);
    c.size1 = 1;
    c.size2 = 2;
    c.n_hashes = PORCH_LOG_MAX_PROOF + 1;
    CHECK_ERR(porch_log_consistency_encode(&c, buf, sizeof buf, &len), PORCH_ERR_INVALID_ARG);
    c.size1 = 2;
    c.n_hashes = 1;
    CHECK_ERR(porch_log_consistency_encode(&c, buf, sizeof buf, &len), PORCH_ERR_INVALID_ARG);
}

static void test_consistency_codec(const porch_log_store *s)
{
    uint8_t buf[PORCH_LOG_PROOF_MAX_BYTES + 1];
    porch_log_consistency p, d;
    porch_log_inclusion i;
    size_t len = 0;

    CHECK_OK(porch_log_prove_consistency(s, 6, 13, &p));
    CHECK_OK(porch_log_consistency_encode(&p, buf, sizeof buf, &len));
    CHECK(buf[1] == 2);
    CHECK_OK(porch_log_consistency_decode(&d, buf, len));
    CHECK(memcmp(&d, &p, sizeof d) == 0);
    for (size_t n = 0; n < len; n++)
        CHECK_ERR(porch_log_consistency_decode(&d, buf, n), PORCH_ERR_TRUNCATED);
    CHECK_ERR(porch_log_inclusion_decode(&i, buf, len), PORCH_ERR_BAD_MAGIC);
    CHECK_ERR(cons_with(buf, len, 0, 13), PORCH_ERR_MALFORMED);
    CHECK_ERR(cons_with(buf, len, 13, 13), PORCH_ERR_MALFORMED);
    CHECK_ERR(cons_with(buf, len, 14, 13), PORCH_ERR_MALFORMED);
    CHECK_ERR(cons_with(buf, len, 1, PORCH_LOG_MAX_TREE_SIZE), PORCH_ERR_TOO_LARGE);
    CHECK_OK(cons_with(buf, len, 1, PORCH_LOG_MAX_TREE_SIZE - 1));
}

static void test_checkpoint(const porch_log_store *s)
{
    const uint8_t *pk = porch_device_public_of(server)->sign_pk;
    uint8_t buf[PORCH_LOG_CHECKPOINT_BYTES + 1], body[65];
    porch_log_checkpoint cp, d;
    int bad = 0;

    CHECK_OK(porch_log_checkpoint_make(&cp, s, household, 1764000000000000u, server));
    CHECK(cp.tree_size == 13);
    CHECK_OK(porch_log_checkpoint_verify(&cp, pk));
    CHECK_ERR(porch_log_checkpoint_verify(&cp, porch_device_public_of(other)->sign_pk),
              PORCH_ERR_LOG_SIGNATURE);
    CHECK_OK(porch_log_checkpoint_encode(&cp, buf));
    CHECK(buf[0] == 1 && memcmp(buf + 1, household, 16) == 0 && buf[17] == 13 &&
          memcmp(buf + 25, cp.root, 32) == 0 && memcmp(buf + 65, cp.signature, 64) == 0);
    CHECK_OK(porch_log_checkpoint_decode(&d, buf, PORCH_LOG_CHECKPOINT_BYTES));
    CHECK(memcmp(&d, &cp, sizeof d) == 0);
    for (size_t n = 0; n < PORCH_LOG_CHECKPOINT_BYTES; n++)
        CHECK_ERR(porch_log_checkpoint_decode(&d, buf, n), PORCH_ERR_TRUNCATED);
    CHECK_ERR(porch_log_checkpoint_decode(&d, buf, sizeof buf), PORCH_ERR_TRAILING_DATA);
    /* Every single-bit change: refused by the decoder or by the signature. */
    for (unsigned bit = 0; bit < PORCH_LOG_CHECKPOINT_BYTES * 8; bit++) {
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        int ret = porch_log_checkpoint_decode(&d, buf, PORCH_LOG_CHECKPOINT_BYTES);
        if (ret == PORCH_OK)
            ret = porch_log_checkpoint_verify(&d, pk);
        bad += ret == PORCH_OK;
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    CHECK(bad == 0);
    /* Domain separation: a plain signature over the same body is not a checkpoint. */
    memcpy(body, buf, sizeof body);
    CHECK_OK(porch_device_sign(server, body, sizeof body, d.signature));
    memcpy(d.log_id, cp.log_id, 16);
    d.tree_size = cp.tree_size;
    memcpy(d.root, cp.root, 32);
    d.timestamp_us = cp.timestamp_us;
    CHECK_ERR(porch_log_checkpoint_verify(&d, pk), PORCH_ERR_LOG_SIGNATURE);
    /* Sizes beyond the cap are neither signed nor accepted. */
    d = cp;
    d.tree_size = PORCH_LOG_MAX_TREE_SIZE;
    CHECK_ERR(porch_log_checkpoint_sign(&d, server), PORCH_ERR_TOO_LARGE);
    CHECK_ERR(porch_log_checkpoint_verify(&d, pk), PORCH_ERR_LOG_SIGNATURE);
    CHECK_ERR(porch_log_checkpoint_encode(&d, buf), PORCH_ERR_INVALID_ARG);
}

static void test_verify_entry(const porch_log_store *s)
{
    const uint8_t *pk = porch_device_public_of(server)->sign_pk;
    uint8_t buf[PORCH_LOG_ENTRY_BYTES];
    porch_log_checkpoint cp;
    porch_log_inclusion p;
    porch_log_entry e;

    CHECK_OK(porch_log_checkpoint_make(&cp, s, household, 1, server));
    make_entry(&e, 7);
    CHECK_OK(porch_log_entry_encode(&e, buf));
    CHECK_OK(porch_log_prove_inclusion(s, 7, cp.tree_size, &p));
    CHECK_OK(porch_log_verify_entry(&cp, pk, buf, sizeof buf, &p));
    CHECK_ERR(porch_log_verify_entry(&cp, porch_device_public_of(other)->sign_pk, buf,
                                     sizeof buf, &p), PORCH_ERR_LOG_SIGNATURE);
    CHECK_OK(porch_log_prove_inclusion(s, 7, cp.tree_size - 1, &p));
    CHECK_ERR(porch_log_verify_entry(&cp, pk, buf, sizeof buf, &p), PORCH_ERR_LOG_STALE);
    CHECK_OK(porch_log_prove_inclusion(s, 6, cp.tree_size, &p));
    CHECK_ERR(porch_log_verify_entry(&cp, pk, buf, sizeof buf, &p), PORCH_ERR_LOG_PROOF);
    /* A checkpoint of another log: the entry's household does not match. */
    cp.log_id[0] ^= 1;
    CHECK_OK(porch_log_checkpoint_sign(&cp, server));
    CHECK_OK(porch_log_prove_inclusion(s, 7, cp.tree_size, &p));
    CHECK_ERR(porch_log_verify_entry(&cp, pk, buf, sizeof buf, &p), PORCH_ERR_LOG_WRONG_LOG);
    CHECK_ERR(porch_log_verify_entry(&cp, pk, buf, sizeof buf - 1, &p), PORCH_ERR_TRUNCATED);
}

int main(void)
{
    static const uint8_t s1[32] = { 1 }, s2[32] = { 2 }, b1[32] = { 3 }, b2[32] = { 4 };
    porch_log_store *s;

    REQUIRE(porch_init() == PORCH_OK);
    REQUIRE(porch__device_from_seeds(&server, "log-server", s1, b1) == PORCH_OK);
    REQUIRE(porch__device_from_seeds(&other, "reader", s2, b2) == PORCH_OK);
    s = make_store(13);
    test_entry();
    test_inclusion_codec(s);
    test_proof_caps();
    test_consistency_codec(s);
    test_checkpoint(s);
    test_verify_entry(s);
    porch_log_store_free(s);
    porch_device_free(server);
    porch_device_free(other);
    return CHECK_DONE();
}
