/*
 * test_log_honesty.c: the access log, audited from the client side against
 * the real server. After a series of reads the audit verifies (consistency
 * from the head held, an inclusion proof per entry, every read present with
 * its reader). Then the server is stopped, its log is rewritten in its SQLite
 * file the way a dishonest operator would (one leaf changed; the log cut
 * back; the log cut and regrown with other entries), the server restarted,
 * and the client's audit, holding the head it verified before, must catch
 * each rewrite: PORCH_ERR_LOG_FORK, _PROOF or _ROLLBACK.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "household.h"
#include "porchlight/client.h"
#include "server_proc.h"
#include "testclip.h"

static struct server_proc srv;
static struct household h;
static uint8_t server_pk[32];
static int have_pk; /* 0 until GET /v1/server answered */

static porch_client *client_for(const porch_device_secret *dev)
{
    porch_client_config cfg = {.base_url = srv.url, .server_pk = have_pk ? server_pk : NULL,
                               .device = dev,
                               .household = porch_roster_household(h.roster)};
    porch_client *c = NULL;
    REQUIRE(porch_client_new(&c, &cfg) == PORCH_OK);
    return c;
}

struct tally {
    uint64_t n, by_member, clips;
};

static int count(void *ctx, uint64_t index, const porch_log_entry *e)
{
    struct tally *t = ctx;
    (void)index;
    t->n++;
    t->by_member += memcmp(e->reader_pk, porch_device_public_of(h.member)->sign_pk, 32) == 0;
    t->clips += e->kind == PORCH_LOG_KIND_CLIP;
    return 0;
}

static void reads(porch_client *c, const uint8_t clip_id[16], int n)
{
    for (int i = 0; i < n; i++) {
        uint8_t *b = NULL;
        size_t len = 0;
        CHECK_OK(porch_client_clip_get(c, clip_id, &b, &len));
        free(b);
    }
}

static sqlite3 *open_db(void)
{
    char path[4200];
    sqlite3 *db = NULL;
    snprintf(path, sizeof path, "%s/meta.sqlite", srv.data_dir);
    REQUIRE(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK);
    return db;
}

static void exec_bound(sqlite3 *db, const char *sql, const uint8_t *blob, size_t blen,
                       int64_t a, const uint8_t *blob2, size_t b2len)
{
    sqlite3_stmt *st = NULL;
    const uint8_t *hh = porch_roster_household(h.roster);
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK);
    sqlite3_bind_blob(st, 1, hh, 16, SQLITE_STATIC);
    if (sqlite3_bind_parameter_count(st) >= 2)
        sqlite3_bind_int64(st, 2, a);
    if (sqlite3_bind_parameter_count(st) >= 3)
        sqlite3_bind_blob(st, 3, blob, (int)blen, SQLITE_STATIC);
    if (sqlite3_bind_parameter_count(st) >= 4)
        sqlite3_bind_blob(st, 4, blob2, (int)b2len, SQLITE_STATIC);
    REQUIRE(sqlite3_step(st) == SQLITE_DONE);
    sqlite3_finalize(st);
}

/* An entry as the server would write it, read by the outsider at time t. */
static void fake_entry(uint8_t out[PORCH_LOG_ENTRY_BYTES], uint8_t leaf[32], uint64_t t)
{
    porch_log_entry e;
    memset(&e, 0, sizeof e);
    memcpy(e.household, porch_roster_household(h.roster), 16);
    e.kind = PORCH_LOG_KIND_ROSTER;
    memcpy(e.reader_pk, porch_device_public_of(h.outsider)->sign_pk, 32);
    e.time_us = t;
    REQUIRE(porch_log_entry_encode(&e, out) == PORCH_OK);
    porch_log_leaf_hash(leaf, out, PORCH_LOG_ENTRY_BYTES);
}

static void rewrite_leaf(uint64_t idx)
{
    uint8_t entry[PORCH_LOG_ENTRY_BYTES], leaf[32];
    sqlite3 *db = open_db();
    fake_entry(entry, leaf, 42);
    exec_bound(db, "UPDATE log_entries SET entry = ?3, leaf = ?4 WHERE hh = ?1 AND idx = ?2",
               entry, sizeof entry, (int64_t)idx, leaf, sizeof leaf);
    exec_bound(db, "DELETE FROM log_nodes WHERE hh = ?1", NULL, 0, 0, NULL, 0);
    sqlite3_close(db);
}

/* Keeps entries [0, keep), then appends `add` other entries. */
static void cut_and_regrow(uint64_t keep, uint64_t add)
{
    uint8_t entry[PORCH_LOG_ENTRY_BYTES], leaf[32];
    sqlite3 *db = open_db();
    exec_bound(db, "DELETE FROM log_entries WHERE hh = ?1 AND idx >= ?2", NULL, 0,
               (int64_t)keep, NULL, 0);
    for (uint64_t i = 0; i < add; i++) {
        fake_entry(entry, leaf, 1000 + i);
        exec_bound(db, "INSERT INTO log_entries(hh, idx, entry, leaf) VALUES (?1, ?2, ?3, ?4)",
                   entry, sizeof entry, (int64_t)(keep + i), leaf, sizeof leaf);
    }
    exec_bound(db, "DELETE FROM log_nodes WHERE hh = ?1", NULL, 0, 0, NULL, 0);
    sqlite3_close(db);
}

static int audit_with(const porch_log_monitor *held)
{
    porch_log_monitor m = *held;
    porch_client *c = client_for(h.owner);
    int ret = porch_client_audit(c, &m, 0, NULL, NULL);
    porch_client_free(c);
    return ret;
}

int main(void)
{
    struct test_clip tc;
    porch_clip_info info;
    porch_log_monitor m;
    struct tally t = {0};
    uint8_t *enc = NULL;
    size_t len = 0;

    REQUIRE(porch_init() == PORCH_OK);
    alarm(110);
    server_start(&srv);
    household_init(&h);
    porch_client *anon = client_for(NULL);
    REQUIRE(porch_client_server_info(anon, server_pk, NULL, 0) == PORCH_OK);
    have_pk = 1;
    REQUIRE(porch_roster_encode(h.roster, &enc, &len) == PORCH_OK);
    REQUIRE(porch_client_household_create(anon, enc, len, NULL, NULL) == PORCH_OK);
    porch_client_free(anon);
    free(enc);

    porch_client *hub = client_for(h.hub), *member = client_for(h.member);
    test_clip_make(&tc, &h, "front", 2, 500);
    REQUIRE(porch_clip_header_parse(&info, tc.bytes, tc.len) == PORCH_OK);
    REQUIRE(porch_client_upload(hub, info.clip_id, tc.bytes, tc.len) == PORCH_OK);
    reads(member, info.clip_id, 3);

    /* First audit: no head held, every entry proven. */
    porch_log_monitor_init(&m, porch_roster_household(h.roster), server_pk);
    porch_client *owner = client_for(h.owner);
    CHECK_OK(porch_client_audit(owner, &m, 0, count, &t));
    CHECK(m.have_head && m.head.tree_size == 3 && t.n == 3 && t.by_member == 3 && t.clips == 3);
    /* More reads, a second audit: consistency from 3 to 7. */
    reads(member, info.clip_id, 2);
    reads(owner, info.clip_id, 2);
    memset(&t, 0, sizeof t);
    CHECK_OK(porch_client_audit(owner, &m, 3, count, &t));
    CHECK(m.head.tree_size == 7 && t.n == 4 && t.by_member == 2);
    porch_client_free(owner);
    porch_client_free(member);
    porch_client_free(hub);
    const porch_log_monitor held = m; /* the honest head at size 7 */

    /* 1. One leaf rewritten: same size, other root. */
    server_stop(&srv);
    rewrite_leaf(1);
    server_restart(&srv);
    CHECK_ERR(audit_with(&held), PORCH_ERR_LOG_FORK);
    /* ... and once the log grows past it, no consistency proof can join the two. */
    member = client_for(h.member);
    reads(member, info.clip_id, 1);
    porch_client_free(member);
    CHECK_ERR(audit_with(&held), PORCH_ERR_LOG_PROOF);

    /* 2. The log cut back below the head held. */
    server_stop(&srv);
    cut_and_regrow(4, 0);
    server_restart(&srv);
    CHECK_ERR(audit_with(&held), PORCH_ERR_LOG_ROLLBACK);

    /* 3. Cut and regrown with other entries, longer than before. */
    server_stop(&srv);
    cut_and_regrow(2, 9);
    server_restart(&srv);
    CHECK_ERR(audit_with(&held), PORCH_ERR_LOG_PROOF);

    test_clip_free(&tc);
    household_free(&h);
    server_cleanup(&srv);
    return CHECK_DONE();
}
