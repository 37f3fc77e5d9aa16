/*
 * test_log_monitor.c: what a client's monitor catches. An honest server's
 * log grows and the monitor follows it; then the server misbehaves in each
 * way docs/LOG.md lists (rewrites an entry, truncates, forks, rolls back,
 * omits an entry, signs for another log, or sends damaged proofs) and the
 * monitor must refuse with the right code and keep its state unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "crypto/identity_internal.h"
#include "porchlight/log.h"

#define N_MAX 40

static porch_device_secret *server, *rogue;
static const uint8_t household[16] = { 0xaa, 0xbb, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 };
static uint8_t entries[N_MAX][PORCH_LOG_ENTRY_BYTES];

static void make_entries(void)
{
    porch_log_entry e;

    for (unsigned i = 0; i < N_MAX; i++) {
        memset(&e, 0, sizeof e);
        memcpy(e.household, household, 16);
        e.kind = (porch_log_kind)(1 + i % 6);
        e.object_id[0] = (uint8_t)i;
        e.reader_pk[0] = (uint8_t)(i % 3);
        e.time_us = UINT64_C(1764000000000000) + i * UINT64_C(1000000);
        REQUIRE(porch_log_entry_encode(&e, entries[i]) == PORCH_OK);
    }
}

/* A log of entries[0..n), with entries[changed] replaced when changed < n. */
static porch_log_store *make_log(unsigned n, unsigned changed)
{
    porch_log_store *s = NULL;

    REQUIRE(porch_log_store_mem_new(&s) == PORCH_OK);
    for (unsigned i = 0; i < n; i++) {
        uint8_t e[PORCH_LOG_ENTRY_BYTES];
        memcpy(e, entries[i], sizeof e);
        if (i == changed)
            e[20] ^= 0x80;   /* another object read at that moment */
        REQUIRE(porch_log_append(s, e, sizeof e, NULL) == PORCH_OK);
    }
    return s;
}

static porch_log_checkpoint head_of(const porch_log_store *s, uint64_t ts)
{
    porch_log_checkpoint cp;
    REQUIRE(porch_log_checkpoint_make(&cp, s, household, ts, server) == PORCH_OK);
    return cp;
}

/* A signed head of the first n leaves of s. */
static porch_log_checkpoint head_at(const porch_log_store *s, uint64_t n, uint64_t ts)
{
    porch_log_checkpoint cp = head_of(s, ts);
    cp.tree_size = n;
    REQUIRE(porch_log_root(s, n, cp.root) == PORCH_OK);
    REQUIRE(porch_log_checkpoint_sign(&cp, server) == PORCH_OK);
    return cp;
}

static porch_log_consistency proof_of(const porch_log_store *s, uint64_t a, uint64_t b)
{
    porch_log_consistency p;
    REQUIRE(porch_log_prove_consistency(s, a, b, &p) == PORCH_OK);
    return p;
}

/* Runs an update that must fail with want and leave the monitor unchanged. */
static void refuse(porch_log_monitor *m, const porch_log_checkpoint *cp,
                   const porch_log_consistency *p, int want, const char *what)
{
    porch_log_monitor before = *m;
    int got = porch_log_monitor_update(m, cp, p);

    CHECK(got == want);
    CHECK(memcmp(&before, m, sizeof before) == 0);
    if (got != want)
        fprintf(stderr, "  %s: got %s, want %s\n", what, porch_errname(got), porch_errname(want));
}

static void test_honest_growth(porch_log_monitor *m)
{
    porch_log_store *s = make_log(N_MAX, N_MAX);
    porch_log_checkpoint cp;
    porch_log_consistency p;
    porch_log_inclusion ip;
    uint64_t prev = 0;

    /* Sizes 0 (empty log), 1, 2, 5, 12, 20, 20 again: each extends the last. */
    static const uint64_t sizes[] = { 0, 1, 2, 5, 12, 20, 20 };
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        porch_log_store *t = make_log((unsigned)sizes[k], N_MAX);
        cp = head_of(t, 1000 + k);
        if (prev && sizes[k] > prev) {
            p = proof_of(t, prev, sizes[k]);
            CHECK_OK(porch_log_monitor_update(m, &cp, &p));
        } else {
            CHECK_OK(porch_log_monitor_update(m, &cp, NULL));
        }
        CHECK(m->have_head && m->head.tree_size == sizes[k] && m->head.timestamp_us == 1000 + k);
        prev = sizes[k];
        porch_log_store_free(t);
    }
    /* An older signature of the same head is accepted but does not move time back. */
    cp = head_at(s, 20, 1);
    CHECK_OK(porch_log_monitor_update(m, &cp, NULL));
    CHECK(m->head.timestamp_us == 1006);
    /* Each of the client's entries is provably in the head it holds. */
    for (unsigned i = 0; i < 20; i++) {
        CHECK_OK(porch_log_prove_inclusion(s, i, 20, &ip));
        CHECK_OK(porch_log_monitor_check_entry(m, entries[i], PORCH_LOG_ENTRY_BYTES, &ip));
    }
    porch_log_store_free(s);
}

/* Server shows a log where entry 3 was changed after the client saw size 20. */
static void test_rewrite(porch_log_monitor *m)
{
    porch_log_store *bad = make_log(N_MAX, 3), *good = make_log(N_MAX, N_MAX);
    porch_log_checkpoint cp = head_at(bad, 20, 2000);
    porch_log_consistency p;

    refuse(m, &cp, NULL, PORCH_ERR_LOG_FORK, "rewritten, same size");
    cp = head_at(bad, 30, 2001);
    p = proof_of(bad, 20, 30);
    refuse(m, &cp, &p, PORCH_ERR_LOG_PROOF, "rewritten, grown, its own proof");
    p = proof_of(good, 20, 30);
    refuse(m, &cp, &p, PORCH_ERR_LOG_PROOF, "rewritten, grown, honest proof");
    refuse(m, &cp, NULL, PORCH_ERR_LOG_PROOF, "grown without a proof");
    p = proof_of(bad, 19, 30);
    refuse(m, &cp, &p, PORCH_ERR_LOG_PROOF, "proof from another size");
    porch_log_store_free(bad);
    porch_log_store_free(good);
}

/* Server drops entries: shows a shorter log, or a shorter one regrown. */
static void test_truncate(porch_log_monitor *m)
{
    porch_log_store *shorter = make_log(15, N_MAX), *regrown;
    porch_log_checkpoint cp = head_of(shorter, 3000);
    porch_log_consistency p;

    refuse(m, &cp, NULL, PORCH_ERR_LOG_ROLLBACK, "truncated");
    /* Truncated to 15, then 10 other entries appended: size 25 > 20. */
    regrown = make_log(15, N_MAX);
    for (unsigned i = 30; i < 40; i++)
        REQUIRE(porch_log_append(regrown, entries[i], PORCH_LOG_ENTRY_BYTES, NULL) == PORCH_OK);
    cp = head_of(regrown, 3001);
    p = proof_of(regrown, 20, 25);
    refuse(m, &cp, &p, PORCH_ERR_LOG_PROOF, "truncated and regrown");
    porch_log_store_free(shorter);
    porch_log_store_free(regrown);
}

static void test_wrong_signer(porch_log_monitor *m)
{
    porch_log_store *good = make_log(N_MAX, N_MAX);
    porch_log_checkpoint cp = head_of(good, 4000);
    porch_log_consistency p = proof_of(good, 20, N_MAX);

    CHECK_OK(porch_log_checkpoint_sign(&cp, rogue));
    refuse(m, &cp, &p, PORCH_ERR_LOG_SIGNATURE, "rogue key");
    cp = head_of(good, 4000);
    cp.root[0] ^= 1;
    refuse(m, &cp, &p, PORCH_ERR_LOG_SIGNATURE, "root changed after signing");
    cp = head_of(good, 4000);
    cp.log_id[15] ^= 1;
    CHECK_OK(porch_log_checkpoint_sign(&cp, server));
    refuse(m, &cp, &p, PORCH_ERR_LOG_WRONG_LOG, "another household's log");
    porch_log_store_free(good);
}

/* Entries the server omitted, or proves against the wrong head. */
static void test_entries(porch_log_monitor *m)
{
    porch_log_store *good = make_log(20, N_MAX);
    uint8_t other[PORCH_LOG_ENTRY_BYTES];
    porch_log_inclusion ip;

    /* Entry 25 was never appended (the server served the read but omitted
     * it): no proof for it exists; the server's best try is another leaf's. */
    for (unsigned i = 0; i < 20; i++) {
        CHECK_OK(porch_log_prove_inclusion(good, i, 20, &ip));
        CHECK_ERR(porch_log_monitor_check_entry(m, entries[25], PORCH_LOG_ENTRY_BYTES, &ip),
                  PORCH_ERR_LOG_PROOF);
    }
    CHECK_OK(porch_log_prove_inclusion(good, 4, 19, &ip));
    CHECK_ERR(porch_log_monitor_check_entry(m, entries[4], PORCH_LOG_ENTRY_BYTES, &ip),
              PORCH_ERR_LOG_STALE);
    memcpy(other, entries[4], sizeof other);
    other[2] ^= 1;   /* another household */
    CHECK_OK(porch_log_prove_inclusion(good, 4, 20, &ip));
    CHECK_ERR(porch_log_monitor_check_entry(m, other, sizeof other, &ip), PORCH_ERR_LOG_WRONG_LOG);
    CHECK_ERR(porch_log_monitor_check_entry(m, entries[4], 73, &ip), PORCH_ERR_TRUNCATED);
    porch_log_store_free(good);
}

/* Every bit of the serialised proofs, as received from the network. */
static void test_wire_bitflips(porch_log_monitor *m)
{
    porch_log_store *good = make_log(N_MAX, N_MAX);
    porch_log_checkpoint cp = head_of(good, 5000);
    porch_log_consistency p = proof_of(good, 20, N_MAX), d;
    porch_log_inclusion ip, di;
    uint8_t buf[PORCH_LOG_PROOF_MAX_BYTES];
    size_t len = 0;
    int accepted = 0;

    CHECK_OK(porch_log_consistency_encode(&p, buf, sizeof buf, &len));
    for (size_t bit = 0; bit < len * 8; bit++) {
        porch_log_monitor before = *m;
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (porch_log_consistency_decode(&d, buf, len) == PORCH_OK)
            accepted += porch_log_monitor_update(m, &cp, &d) == PORCH_OK;
        CHECK(memcmp(&before, m, sizeof before) == 0);
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    CHECK(accepted == 0);
    CHECK_OK(porch_log_consistency_decode(&d, buf, len));
    CHECK_OK(porch_log_monitor_update(m, &cp, &d));
    CHECK(m->head.tree_size == N_MAX);
    CHECK_OK(porch_log_prove_inclusion(good, 33, N_MAX, &ip));
    CHECK_OK(porch_log_inclusion_encode(&ip, buf, sizeof buf, &len));
    for (size_t bit = 0; bit < len * 8; bit++) {
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (porch_log_inclusion_decode(&di, buf, len) == PORCH_OK)
            accepted += porch_log_monitor_check_entry(m, entries[33], PORCH_LOG_ENTRY_BYTES,
                                                      &di) == PORCH_OK;
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    CHECK(accepted == 0);
    porch_log_store_free(good);
}

static void test_fresh_monitor(void)
{
    porch_log_monitor m;
    porch_log_inclusion ip;

    porch_log_monitor_init(&m, household, porch_device_public_of(server)->sign_pk);
    CHECK(!m.have_head);
    memset(&ip, 0, sizeof ip);
    ip.tree_size = 1;
    CHECK_ERR(porch_log_monitor_check_entry(&m, entries[0], PORCH_LOG_ENTRY_BYTES, &ip),
              PORCH_ERR_LOG_STALE);
    CHECK_ERR(porch_log_monitor_update(&m, NULL, NULL), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_log_monitor_update(NULL, NULL, NULL), PORCH_ERR_INVALID_ARG);
}

int main(void)
{
    static const uint8_t s1[32] = { 9 }, s2[32] = { 10 }, b1[32] = { 11 }, b2[32] = { 12 };
    porch_log_monitor m;

    REQUIRE(porch_init() == PORCH_OK);
    REQUIRE(porch__device_from_seeds(&server, "log-server", s1, b1) == PORCH_OK);
    REQUIRE(porch__device_from_seeds(&rogue, "rogue", s2, b2) == PORCH_OK);
    make_entries();
    test_fresh_monitor();
    porch_log_monitor_init(&m, household, porch_device_public_of(server)->sign_pk);
    test_honest_growth(&m);
    test_rewrite(&m);
    test_truncate(&m);
    test_wrong_signer(&m);
    test_entries(&m);
    test_wire_bitflips(&m);
    porch_device_free(server);
    porch_device_free(rogue);
    return CHECK_DONE();
}
