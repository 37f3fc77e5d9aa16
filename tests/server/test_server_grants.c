/*
 * test_server_grants.c: support grants end to end against the real
 * porchlight-server (--sweep 1), through lib/client, with the server's
 * SQLite file opened read-only by the test to count share (wrap) rows.
 *   - an admin grants support device S1 clips A and B, expiring a few seconds
 *     out; before expiry S1 lists exactly A and B, fetches them byte for byte
 *     and gets their shares (which open the clips), and gets 404 for C (other
 *     camera) and D (same camera, not granted), 403 for notices;
 *   - revoking S2's grant deletes its share rows at once (no sweep needed)
 *     and S2 is refused from the next request;
 *   - after S1's expiry every read is refused (404, empty listing), the
 *     grant is still listed (expired), and the sweeper deletes its share rows
 *     within a few sweep intervals;
 *   - a grant that expires while the server is down has its shares deleted at
 *     start-up (restarted with --sweep 3600, so no periodic sweep runs).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "household.h"
#include "porchlight/client.h"
#include "porchlight/grant.h"
#include "support/srvtest.h"
#include "testclip.h"

static struct srv S;
static struct household H;
static porch_device_secret *sup1, *sup2;
static uint8_t server_pk[32];
static struct test_clip A, B, C, D;

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static porch_client *client(const porch_device_secret *dev)
{
    porch_client_config cfg = { .base_url = S.url, .device = dev,
                                .server_pk = dev ? server_pk : NULL,   /* NULL: pairing */
                                .household = porch_roster_household(H.roster) };
    porch_client *c = NULL;

    REQUIRE(porch_client_new(&c, &cfg) == PORCH_OK);
    return c;
}

static const uint8_t *id_of(const struct test_clip *tc)
{
    static porch_clip_info info;

    REQUIRE(porch_clip_header_parse(&info, tc->bytes, tc->len) == PORCH_OK);
    return info.clip_id;
}

/* Share rows of grant g in the server's database (read-only, beside the server). */
static long share_rows(const uint8_t g[16])
{
    char path[700];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long n = -1;

    snprintf(path, sizeof path, "%s/meta.sqlite", S.data);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_busy_timeout(db, 5000) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM shares WHERE grant = ?1", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_bind_blob(st, 1, g, 16, SQLITE_STATIC) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* Grant of clips[0..n) to sup, expiring at exp, with one share per clip. */
static int grant(porch_client *admin, const porch_device_secret *sup,
                 const struct test_clip *const *clips, size_t n, uint64_t exp, uint8_t id[16])
{
    porch_grant *g = calloc(1, sizeof *g);
    uint8_t (*shares)[PORCH_CLIP_SHARE_BYTES] = calloc(n, PORCH_CLIP_SHARE_BYTES);
    uint8_t *enc = NULL;
    size_t len = 0;
    int ret;

    REQUIRE(g && shares);
    memcpy(g->household, porch_roster_household(H.roster), 16);
    memcpy(g->support_sign_pk, porch_device_public_of(sup)->sign_pk, 32);
    memcpy(g->support_box_pk, porch_device_public_of(sup)->box_pk, 32);
    g->created_us = now_us() - 1000000u;
    g->expires_us = exp;
    g->n_clips = (uint32_t)n;
    for (size_t i = 0; i < n; i++) {
        memcpy(g->clip_ids[i], id_of(clips[i]), 16);
        REQUIRE(porch_clip_share_create(shares[i], clips[i]->bytes, clips[i]->len, H.owner,
                                        porch_device_public_of(sup), exp) == PORCH_OK);
    }
    REQUIRE(porch_grant_create(g, H.owner, &enc, &len) == PORCH_OK);
    ret = porch_client_grant_create(admin, enc, len,
                                    (const uint8_t(*)[PORCH_CLIP_SHARE_BYTES])shares, n, id);
    free(enc);
    free(shares);
    free(g);
    return ret;
}

/* The clip as support device dev sees it: bytes, and a share that opens them. */
static int read_clip(porch_client *c, const porch_device_secret *dev, const struct test_clip *tc)
{
    uint8_t *got = NULL, share[PORCH_CLIP_SHARE_BYTES];
    size_t len = 0;
    int ret = porch_client_clip_get(c, id_of(tc), &got, &len);

    if (ret == PORCH_OK && (len != tc->len || memcmp(got, tc->bytes, len)))
        ret = PORCH_ERR_MALFORMED;
    free(got);
    if (ret == PORCH_OK && (ret = porch_client_share_get(c, id_of(tc), share)) == PORCH_OK) {
        porch_clip_key *key = NULL;
        porch_clip_meta *meta = NULL;
        ret = porch_clip_key_from_share(&key, tc->bytes, tc->len, share, sizeof share, dev,
                                        now_us());
        if (ret == PORCH_OK)
            ret = test_clip_meta(tc, key, &meta);
        porch_meta_free(meta);
        porch_clip_key_free(key);
    }
    return ret;
}

static size_t listed(porch_client *c, const struct test_clip *want1, const struct test_clip *want2)
{
    porch_clip_list l = { 0 };
    size_t n = 0, hits = 0;

    if (porch_client_clips_list(c, &(porch_clip_query){ 0 }, &l) != PORCH_OK)
        return (size_t)-1;
    for (size_t i = 0; i < l.n; i++)
        hits += (want1 && !memcmp(l.items[i].clip_id, id_of(want1), 16)) ||
                (want2 && !memcmp(l.items[i].clip_id, id_of(want2), 16));
    n = l.n;
    porch_clip_list_free(&l);
    return hits == n ? n : (size_t)-2;
}

static void setup(void)
{
    porch_scope none = { 0 };
    uint8_t *enc = NULL;
    size_t len = 0;

    household_init(&H);
    sup1 = test_device("support-1", 41);
    sup2 = test_device("support-2", 42);
    REQUIRE(porch_roster_add(H.roster, H.owner, porch_device_public_of(sup1), PORCH_ROLE_SUPPORT,
                             &none, 1010) == PORCH_OK);
    REQUIRE(porch_roster_add(H.roster, H.owner, porch_device_public_of(sup2), PORCH_ROLE_SUPPORT,
                             &none, 1011) == PORCH_OK);
    REQUIRE(porch_roster_encode(H.roster, &enc, &len) == PORCH_OK);
    porch_client *anon = client(NULL);
    REQUIRE(porch_client_server_info(anon, server_pk, NULL, 0) == PORCH_OK);
    porch_client_free(anon);
    anon = client(NULL);
    CHECK_OK(porch_client_household_create(anon, enc, len, NULL, NULL));
    porch_client_free(anon);
    free(enc);
    test_clip_make(&A, &H, "front", 2, 1500);
    test_clip_make(&B, &H, "front", 3, 1700);
    test_clip_make(&C, &H, "back", 2, 1900);
    test_clip_make(&D, &H, "front", 2, 2100);
    porch_client *hub = client(H.hub);
    const struct test_clip *all[] = { &A, &B, &C, &D };
    for (int i = 0; i < 4; i++)
        CHECK_OK(porch_client_upload(hub, id_of(all[i]), all[i]->bytes, all[i]->len));
    porch_client_free(hub);
}

int main(void)
{
    const char *extra[] = { "--sweep", "1", NULL };
    uint8_t g1[16], g2[16];
    porch_notice_list nl = { 0 };
    porch_grant_list gl = { 0 };

    srv_start(&S, extra);
    setup();
    porch_client *admin = client(H.owner), *s1 = client(sup1), *s2 = client(sup2);
    const struct test_clip *ab[] = { &A, &B }, *a[] = { &A };
    uint64_t exp1 = now_us() + 6000000u;
    CHECK_OK(grant(admin, sup1, ab, 2, exp1, g1));
    CHECK_OK(grant(admin, sup2, a, 1, now_us() + 3600000000u, g2));
    CHECK(share_rows(g1) == 2 && share_rows(g2) == 1);

    /* before expiry: exactly the scope */
    CHECK(listed(s1, &A, &B) == 2);
    CHECK_OK(read_clip(s1, sup1, &A));
    CHECK_OK(read_clip(s1, sup1, &B));
    CHECK_ERR(read_clip(s1, sup1, &C), PORCH_ERR_NOT_FOUND);
    CHECK_ERR(read_clip(s1, sup1, &D), PORCH_ERR_NOT_FOUND);
    CHECK_ERR(porch_client_notices_list(s1, 0, 10, &nl), PORCH_ERR_FORBIDDEN);
    CHECK(listed(s2, &A, NULL) == 1);
    CHECK(now_us() < exp1);   /* else the checks above did not run before expiry */

    /* revocation: the shares go at once */
    CHECK_OK(porch_client_grant_revoke(admin, g2));
    CHECK(share_rows(g2) == 0);
    uint8_t share[PORCH_CLIP_SHARE_BYTES];
    CHECK_ERR(porch_client_share_get(s2, id_of(&A), share), PORCH_ERR_NOT_FOUND);
    uint8_t *got = NULL;
    size_t got_len = 0;
    CHECK_ERR(porch_client_clip_get(s2, id_of(&A), &got, &got_len), PORCH_ERR_NOT_FOUND);
    free(got);
    CHECK(listed(s2, NULL, NULL) == 0);
    CHECK(share_rows(g1) == 2);   /* the other grant is untouched */

    /* expiry: refused at request time, then swept */
    while (now_us() < exp1 + 200000u)
        usleep(100000);
    CHECK_ERR(porch_client_share_get(s1, id_of(&A), share), PORCH_ERR_NOT_FOUND);
    CHECK_ERR(porch_client_clip_get(s1, id_of(&B), &got, &got_len), PORCH_ERR_NOT_FOUND);
    free(got);
    CHECK(listed(s1, NULL, NULL) == 0);
    CHECK_OK(porch_client_grants_list(s1, &gl));
    CHECK(gl.n == 1 && gl.n && !memcmp(gl.items[0].grant_id, g1, 16) && !gl.items[0].revoked &&
          gl.items[0].expires_us == exp1);
    porch_grant_list_free(&gl);
    long rows = -1;
    for (int i = 0; i < 100 && (rows = share_rows(g1)) != 0; i++)   /* sweep every 1 s */
        usleep(100000);
    CHECK(rows == 0);

    /* expired while the server was down: swept at start-up */
    uint8_t g3[16];
    uint64_t exp3 = now_us() + 3000000u;
    CHECK_OK(grant(admin, sup1, a, 1, exp3, g3));
    CHECK(share_rows(g3) == 1);
    srv_stop(&S);
    while (now_us() < exp3 + 200000u)
        usleep(100000);
    S.extra[1] = "3600";
    srv_restart(&S);
    CHECK(share_rows(g3) == 0);

    porch_client_free(admin);
    porch_client_free(s1);
    porch_client_free(s2);
    test_clip_free(&A);
    test_clip_free(&B);
    test_clip_free(&C);
    test_clip_free(&D);
    porch_device_free(sup1);
    porch_device_free(sup2);
    household_free(&H);
    srv_cleanup(&S);
    return CHECK_DONE();
}
