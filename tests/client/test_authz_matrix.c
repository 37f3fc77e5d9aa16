/*
 * test_authz_matrix.c: every endpoint x every role against the real
 * porchlight-server on loopback. Each cell is the HTTP status the contract
 * (docs/SERVER.md, "Authorization matrix") promises; all cells are asserted
 * and the whole table is printed, mismatches marked, when any cell differs.
 *
 * Roles: unauthenticated; the admin of another household (valid token, wrong
 * household); a member removed from the roster after it got its token; a
 * member whose scope is camera "back" only; a member of "front"; support
 * devices holding a valid, an expired and a revoked grant (each for clip A);
 * the hub; the admin. Clips: A and D on "front", B on "back", E uploaded by
 * the hub during the matrix. The admin's deletions run last.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "check.h"
#include "client/client_internal.h"
#include "household.h"
#include "porchlight/grant.h"
#include "porchlight/notice.h"
#include "server_proc.h"
#include "testclip.h"
#include "util/hex.h"

enum role { UNAUTH, OTHER, REMOVED, OUTSIDE, MEMBER, SUP_OK, SUP_EXP, SUP_REV, HUB, ADMIN,
            N_ROLES };
static const char *const role_names[N_ROLES] = {"unauth", "other-hh", "removed", "outside",
                                                "member", "sup-ok", "sup-exp", "sup-rev", "hub",
                                                "admin"};

static struct server_proc srv;
static struct household h;
static porch_device_secret *removed, *sup[3], *other_owner;
static porch_roster *other_roster;
static uint8_t server_pk[32];
static int have_pk; /* 0 until GET /v1/server answered */
static porch_client *cl[N_ROLES];
static struct test_clip clip_a, clip_b, clip_d, clip_e;
static uint8_t *notice, *notice2;   /* notice2: never posted before its row */
static size_t notice_len, notice2_len;
static uint8_t grant_throw[16];
static char *grant_body_json;
static uint8_t *roster_now;
static size_t roster_now_len;
static char hh[33];

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static porch_client *client_for(const porch_device_secret *dev, const uint8_t *household)
{
    porch_client_config cfg = {.base_url = srv.url, .server_pk = have_pk ? server_pk : NULL,
                               .device = dev,
                               .household = household};
    porch_client *c = NULL;
    REQUIRE(porch_client_new(&c, &cfg) == PORCH_OK);
    return c;
}

static void make_clip(struct test_clip *tc, const char *camera, unsigned char fill)
{
    uint8_t init[64], media[3000];
    const uint8_t *pieces[2] = {init, media};
    size_t sizes[2] = {sizeof init, sizeof media};
    memset(init, fill, sizeof init);
    memset(media, fill + 1, sizeof media);
    test_clip_make_from(tc, h.hub, h.roster, camera, pieces, sizes, 2);
}

static void put_roster(void)
{
    uint64_t seq = 0;
    free(roster_now);
    REQUIRE(porch_roster_encode(h.roster, &roster_now, &roster_now_len) == PORCH_OK);
    CHECK_OK(porch_client_roster_put(cl[ADMIN], roster_now, roster_now_len, &seq));
}

/* A signed grant for support device i covering clip A; returns its encoding. */
static uint8_t *grant_for(int i, uint64_t expires_us, size_t *len, uint8_t share[292])
{
    porch_grant *g = calloc(1, sizeof *g);
    uint8_t *enc = NULL;
    REQUIRE(g);
    memcpy(g->household, porch_roster_household(h.roster), 16);
    memcpy(g->support_sign_pk, porch_device_public_of(sup[i])->sign_pk, 32);
    memcpy(g->support_box_pk, porch_device_public_of(sup[i])->box_pk, 32);
    g->created_us = now_us() - 1000000u;
    g->expires_us = expires_us;
    g->n_clips = 1;
    porch_clip_info info;
    REQUIRE(porch_clip_header_parse(&info, clip_a.bytes, clip_a.len) == PORCH_OK);
    memcpy(g->clip_ids[0], info.clip_id, 16);
    REQUIRE(porch_grant_create(g, h.owner, &enc, len) == PORCH_OK);
    REQUIRE(porch_clip_share_create(share, clip_a.bytes, clip_a.len, h.owner,
                                    porch_device_public_of(sup[i]), expires_us) == PORCH_OK);
    free(g);
    return enc;
}

static void make_grant(int i, uint64_t expires_us, uint8_t id[16])
{
    uint8_t s[PORCH_CLIP_SHARE_BYTES];
    size_t len = 0;
    uint8_t *enc = grant_for(i, expires_us, &len, s);
    CHECK_OK(porch_client_grant_create(cl[ADMIN], enc, len,
                                       (const uint8_t(*)[PORCH_CLIP_SHARE_BYTES])s, 1, id));
    free(enc);
}

static void setup_household(void)
{
    porch_scope front = test_scope("front", NULL), none = {0};
    uint8_t *enc = NULL, got[16];
    size_t len = 0;

    household_init(&h);
    removed = test_device("removed-member", 20);
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "support-%d", i);
        sup[i] = test_device(name, (unsigned char)(30 + i));
    }
    REQUIRE(porch_roster_add(h.roster, h.owner, porch_device_public_of(removed),
                             PORCH_ROLE_MEMBER, &front, 1010) == PORCH_OK);
    for (int i = 0; i < 3; i++)
        REQUIRE(porch_roster_add(h.roster, h.owner, porch_device_public_of(sup[i]),
                                 PORCH_ROLE_SUPPORT, &none, 1011) == PORCH_OK);
    porch_client *anon = client_for(NULL, NULL);
    REQUIRE(porch_client_server_info(anon, server_pk, NULL, 0) == PORCH_OK);
    have_pk = 1;
    REQUIRE(porch_roster_encode(h.roster, &enc, &len) == PORCH_OK);
    REQUIRE(porch_client_household_create(anon, enc, len, got, NULL) == PORCH_OK);
    REQUIRE(memcmp(got, porch_roster_household(h.roster), 16) == 0);
    free(enc);
    /* Another household, with its own admin. */
    other_owner = test_device("other-owner", 40);
    REQUIRE(porch_roster_create(&other_roster, other_owner, 1000) == PORCH_OK);
    REQUIRE(porch_roster_encode(other_roster, &enc, &len) == PORCH_OK);
    REQUIRE(porch_client_household_create(anon, enc, len, NULL, NULL) == PORCH_OK);
    free(enc);
    porch_client_free(anon);
    porch__hex16(hh, porch_roster_household(h.roster));
}

static void setup_clients(void)
{
    const uint8_t *hid = porch_roster_household(h.roster);
    const porch_device_secret *devs[N_ROLES] = {NULL, other_owner, removed, h.back, h.member,
                                                sup[0], sup[1], sup[2], h.hub, h.owner};
    for (int r = 0; r < N_ROLES; r++)
        cl[r] = client_for(devs[r], r == OTHER ? porch_roster_household(other_roster) : hid);
    for (int r = OTHER; r < N_ROLES; r++)
        REQUIRE(porch_client_login(cl[r], NULL) == PORCH_OK);
}

static void setup_data(void)
{
    uint8_t id_exp[16], id_rev[16], id_ok[16];
    make_clip(&clip_a, "front", 0x10);
    make_clip(&clip_b, "back", 0x20);
    make_clip(&clip_d, "front", 0x30);
    porch_clip_info ia, ib, id;
    REQUIRE(porch_clip_header_parse(&ia, clip_a.bytes, clip_a.len) == PORCH_OK);
    REQUIRE(porch_clip_header_parse(&ib, clip_b.bytes, clip_b.len) == PORCH_OK);
    REQUIRE(porch_clip_header_parse(&id, clip_d.bytes, clip_d.len) == PORCH_OK);
    REQUIRE(porch_client_upload(cl[HUB], ia.clip_id, clip_a.bytes, clip_a.len) == PORCH_OK);
    REQUIRE(porch_client_upload(cl[HUB], ib.clip_id, clip_b.bytes, clip_b.len) == PORCH_OK);
    REQUIRE(porch_client_upload(cl[HUB], id.clip_id, clip_d.bytes, clip_d.len) == PORCH_OK);
    REQUIRE(porch_notice_seal(&notice, &notice_len, h.hub, h.roster, "front", now_us(),
                              ia.clip_id, NULL) == PORCH_OK);
    REQUIRE(porch_client_notice_post(cl[HUB], notice, notice_len, NULL) == PORCH_OK);
    /* POST notices is idempotent by notice id (the same bytes again are 200):
     * the row posts a notice of its own. */
    REQUIRE(porch_notice_seal(&notice2, &notice2_len, h.hub, h.roster, "front", now_us(),
                              ia.clip_id, NULL) == PORCH_OK);
    /* Reads so that the log has entries for the log endpoints. */
    uint8_t *tmp = NULL;
    size_t tl = 0;
    REQUIRE(porch_client_clip_get(cl[ADMIN], ia.clip_id, &tmp, &tl) == PORCH_OK);
    free(tmp);
    REQUIRE(porch_client_roster_get(cl[ADMIN], &tmp, &tl) == PORCH_OK);
    free(tmp);
    make_grant(0, now_us() + 3600000000u, id_ok);
    make_grant(1, now_us() + 3000000u, id_exp);
    make_grant(2, now_us() + 3600000000u, id_rev);
    make_grant(0, now_us() + 3600000000u, grant_throw);
    CHECK_OK(porch_client_grant_revoke(cl[ADMIN], id_rev));
    /* The removed member already holds a token; now it leaves the roster. */
    REQUIRE(porch_roster_remove(h.roster, h.owner, porch_device_public_of(removed)->sign_pk,
                                1020) == PORCH_OK);
    put_roster();
    make_clip(&clip_e, "front", 0x40); /* under the roster without the removed member */
    /* The body of a grant request for the POST grant row. */
    uint8_t share[PORCH_CLIP_SHARE_BYTES];
    size_t glen = 0;
    uint8_t *g = grant_for(0, now_us() + 3600000000u, &glen, share);
    char *gb = porch__b64_encode(g, glen), *sb = porch__b64_encode(share, sizeof share);
    REQUIRE(gb && sb && (grant_body_json = malloc(strlen(gb) + strlen(sb) + 64)));
    sprintf(grant_body_json, "{\"grant\":\"%s\",\"shares\":[\"%s\"]}", gb, sb);
    free(gb);
    free(sb);
    free(g);
    sleep(4); /* let the 3-second grant expire */
}

struct row {
    const char *name;
    const char *method;
    char path[400];
    const uint8_t *body;
    size_t body_len;
    const char *ctype;
    const char *header;
    int want[N_ROLES];
    long got[N_ROLES];
};

#define ROWS_MAX 32
static struct row rows[ROWS_MAX];
static size_t n_rows;

static struct row *row(const char *name, const char *method, const int want[N_ROLES],
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static struct row *row(const char *name, const char *method, const int want[N_ROLES],
                       const char *fmt, ...)
{
    va_list ap;
    REQUIRE(n_rows < ROWS_MAX);
    struct row *r = &rows[n_rows++];
    memset(r, 0, sizeof *r);
    r->name = name;
    r->method = method;
    memcpy(r->want, want, sizeof r->want);
    va_start(ap, fmt);
    vsnprintf(r->path, sizeof r->path, fmt, ap);
    va_end(ap);
    return r;
}

static void build_rows(void)
{
    static const int read_roster[] = {401, 403, 401, 200, 200, 200, 200, 200, 200, 200};
    static const int admin_only_200[] = {401, 403, 401, 403, 403, 403, 403, 403, 403, 200};
    static const int list_clips[] = {401, 403, 401, 200, 200, 200, 200, 200, 403, 200};
    static const int read_a[] = {401, 403, 401, 404, 200, 200, 404, 404, 403, 200};
    static const int read_b[] = {401, 403, 401, 200, 404, 404, 404, 404, 403, 200};
    static const int hub_head[] = {401, 403, 401, 403, 403, 403, 403, 403, 200, 403};
    static const int hub_patch[] = {401, 403, 401, 403, 403, 403, 403, 403, 204, 403};
    static const int hub_201[] = {401, 403, 401, 403, 403, 403, 403, 403, 201, 403};
    static const int viewers[] = {401, 403, 401, 200, 200, 403, 403, 403, 403, 200};
    static const int admin_201[] = {401, 403, 401, 403, 403, 403, 403, 403, 403, 201};
    static const int grants[] = {401, 403, 401, 403, 403, 200, 200, 200, 403, 200};
    static const int share[] = {401, 403, 401, 403, 403, 200, 404, 404, 403, 403};
    static const int admin_204[] = {401, 403, 401, 403, 403, 403, 403, 403, 403, 204};
    static const int log[] = {401, 403, 401, 200, 200, 200, 200, 200, 403, 200};
    char a[33], b[33], d[33], e[33], g[33];
    porch_clip_info info;
    struct row *r;

    porch_clip_header_parse(&info, clip_a.bytes, clip_a.len);
    porch__hex16(a, info.clip_id);
    porch_clip_header_parse(&info, clip_b.bytes, clip_b.len);
    porch__hex16(b, info.clip_id);
    porch_clip_header_parse(&info, clip_d.bytes, clip_d.len);
    porch__hex16(d, info.clip_id);
    porch_clip_header_parse(&info, clip_e.bytes, clip_e.len);
    porch__hex16(e, info.clip_id);
    porch__hex16(g, grant_throw);

    row("GET roster", "GET", read_roster, "/v1/households/%s/roster", hh);
    r = row("PUT roster", "PUT", admin_only_200, "/v1/households/%s/roster", hh);
    r->body = roster_now, r->body_len = roster_now_len, r->ctype = "application/octet-stream";
    row("GET clips", "GET", list_clips, "/v1/households/%s/clips?camera=front", hh);
    row("GET clip A", "GET", read_a, "/v1/households/%s/clips/%s", hh, a);
    row("GET clip A header", "GET", read_a, "/v1/households/%s/clips/%s/header", hh, a);
    row("GET clip A record 0", "GET", read_a, "/v1/households/%s/clips/%s/records/0", hh, a);
    row("GET clip B (back)", "GET", read_b, "/v1/households/%s/clips/%s", hh, b);
    row("HEAD upload E", "HEAD", hub_head, "/v1/households/%s/clips/%s/upload", hh, e);
    r = row("PATCH upload E", "PATCH", hub_patch, "/v1/households/%s/clips/%s/upload", hh, e);
    r->body = clip_e.bytes, r->body_len = clip_e.len, r->ctype = "application/octet-stream";
    r->header = "Upload-Offset: 0";
    static char complete[160];
    uint8_t sha[32];
    char shahex[65];
    crypto_hash_sha256(sha, clip_e.bytes, clip_e.len);
    porch__hex_encode(shahex, sizeof shahex, sha, 32);
    snprintf(complete, sizeof complete, "{\"length\":%zu,\"sha256\":\"%s\"}", clip_e.len, shahex);
    r = row("POST complete E", "POST", hub_201, "/v1/households/%s/clips/%s/complete", hh, e);
    r->body = (const uint8_t *)complete, r->body_len = strlen(complete);
    r->ctype = "application/json";
    r = row("POST notice", "POST", hub_201, "/v1/households/%s/notices", hh);
    r->body = notice2, r->body_len = notice2_len, r->ctype = "application/octet-stream";
    row("GET notices", "GET", viewers, "/v1/households/%s/notices?after=0", hh);
    r = row("POST grant", "POST", admin_201, "/v1/households/%s/grants", hh);
    r->body = (const uint8_t *)grant_body_json, r->body_len = strlen(grant_body_json);
    r->ctype = "application/json";
    row("GET grants", "GET", grants, "/v1/households/%s/grants", hh);
    row("GET share A", "GET", share, "/v1/households/%s/clips/%s/share", hh, a);
    row("GET log checkpoint", "GET", log, "/v1/households/%s/log/checkpoint", hh);
    row("GET log entries", "GET", log, "/v1/households/%s/log/entries?start=0&end=1", hh);
    row("GET log inclusion", "GET", log, "/v1/households/%s/log/inclusion?index=0&size=1", hh);
    row("GET log consistency", "GET", log, "/v1/households/%s/log/consistency?from=1&to=2", hh);
    row("DELETE grant", "DELETE", admin_204, "/v1/households/%s/grants/%s", hh, g);
    row("DELETE clip D", "DELETE", admin_204, "/v1/households/%s/clips/%s", hh, d);
}

static long cell(enum role who, const struct row *r)
{
    struct porch__req req = {0};
    req.method = r->method;
    snprintf(req.path, sizeof req.path, "%s", r->path);
    req.body = r->body;
    req.body_len = r->body_len;
    req.content_type = r->ctype;
    req.header = r->header;
    req.auth = who != UNAUTH;
    req.exact = 1; /* the status for the token each role holds, no re-login */
    req.max_response = 64u << 20;
    (void)porch__call(cl[who], &req);
    long status = req.status;
    porch__req_done(&req);
    return status;
}

static void print_table(void)
{
    fprintf(stderr, "\n%-22s", "endpoint \\ role");
    for (int r = 0; r < N_ROLES; r++)
        fprintf(stderr, " %8s", role_names[r]);
    fprintf(stderr, "\n");
    for (size_t i = 0; i < n_rows; i++) {
        fprintf(stderr, "%-22s", rows[i].name);
        for (int r = 0; r < N_ROLES; r++) {
            if (rows[i].got[r] == rows[i].want[r])
                fprintf(stderr, " %8ld", rows[i].got[r]);
            else
                fprintf(stderr, " %3ld!=%3d", rows[i].got[r], rows[i].want[r]);
        }
        fprintf(stderr, "\n");
    }
}

int main(void)
{
    int mismatches = 0;
    REQUIRE(porch_init() == PORCH_OK);
    alarm(110);
    server_start(&srv);
    setup_household();
    setup_clients();
    setup_data();
    build_rows();
    /* Role order: the hub's upload before the admin's deletions, the admin last. */
    for (int r = 0; r < N_ROLES; r++)
        for (size_t i = 0; i < n_rows; i++) {
            rows[i].got[r] = cell((enum role)r, &rows[i]);
            CHECK(rows[i].got[r] == rows[i].want[r]);
            mismatches += rows[i].got[r] != rows[i].want[r];
        }
    if (mismatches)
        print_table();
    for (int r = 0; r < N_ROLES; r++)
        porch_client_free(cl[r]);
    test_clip_free(&clip_a);
    test_clip_free(&clip_b);
    test_clip_free(&clip_d);
    test_clip_free(&clip_e);
    free(notice);
    free(notice2);
    free(grant_body_json);
    free(roster_now);
    for (int i = 0; i < 3; i++)
        porch_device_free(sup[i]);
    porch_device_free(removed);
    porch_device_free(other_owner);
    porch_roster_free(other_roster);
    household_free(&h);
    server_cleanup(&srv);
    return CHECK_DONE();
}
