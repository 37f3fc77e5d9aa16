/*
 * test_server_quota.c: per-household quota and the size caps, against the
 * real porchlight-server started with a small --quota, --clip-max,
 * --patch-max and --json-max.
 *   - uploads fill the quota; the PATCH that would pass it gets 413 with the
 *     documented body {"error":"quota_exceeded","message":...}, and bytes of an
 *     upload in progress count (a PATCH that fits is taken, the next is not);
 *   - deleting a clip (crypto-shredding) frees its bytes: the blob is gone and
 *     the refused upload resumes from its stored offset and completes;
 *   - another household with the same quota is unaffected while the first is full;
 *   - a clip over clip_max, a PATCH body over patch_max and a JSON body over
 *     json_max each get 413 {"error":"too_large",...}; nothing is stored.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "household.h"
#include "support/srvtest.h"
#include "testclip.h"

#define PIECE 8192u   /* PATCH size: under --patch-max */

static struct srv S;
static struct household H, H2;
static char t_hub[64], t_owner[64], t_hub2[64];

static const uint8_t *id_of(const struct test_clip *tc)
{
    static porch_clip_info info;

    REQUIRE(porch_clip_header_parse(&info, tc->bytes, tc->len) == PORCH_OK);
    return info.clip_id;
}

/* One PATCH of bytes [from, to) of tc; r holds the answer. */
static void patch(const char *token, const uint8_t *hh, const struct test_clip *tc, size_t from,
                  size_t to, struct resp *r)
{
    char path[300], suffix[100], cid[33], off[64];
    const char *hdr[] = { off, "Content-Type: application/octet-stream", NULL };

    hexs(cid, id_of(tc), 16);
    snprintf(suffix, sizeof suffix, "/clips/%s/upload", cid);
    hh_path(path, sizeof path, hh, suffix);
    snprintf(off, sizeof off, "Upload-Offset: %zu", from);
    http(&S, "PATCH", path, token, hdr, tc->bytes + from, to - from, r);
}

static long upload(const char *token, const uint8_t *hh, const struct test_clip *tc)
{
    long st = srv_patch(&S, token, hh, id_of(tc), tc->bytes, 0, tc->len, PIECE);

    return st == 204 ? srv_complete(&S, token, hh, id_of(tc), tc->bytes, tc->len) : st;
}

static int blob_exists(const uint8_t *hh, const struct test_clip *tc)
{
    char path[800], h[33], c[33];
    struct stat st;

    hexs(h, hh, 16);
    hexs(c, id_of(tc), 16);
    snprintf(path, sizeof path, "%s/blobs/%s/%s", S.data, h, c);
    return stat(path, &st) == 0;
}

static void make_h2(void)
{
    porch_scope front = test_scope("front", NULL);

    H2.owner = test_device("owner-2", 60);
    H2.hub = test_device("hub-2", 61);
    REQUIRE(porch_roster_create(&H2.roster, H2.owner, 1000) == PORCH_OK);
    REQUIRE(porch_roster_add(H2.roster, H2.owner, porch_device_public_of(H2.hub), PORCH_ROLE_HUB,
                             &front, 1001) == PORCH_OK);
}

int main(void)
{
    struct test_clip c1, c2, c3, c4, huge;
    char quota[32], clip_max[32], path[300];
    struct resp r;

    household_init(&H);
    make_h2();
    test_clip_make(&c1, &H, "front", 3, 3000);
    test_clip_make(&c2, &H, "front", 3, 3100);
    test_clip_make(&c3, &H, "front", 3, 5000);   /* the one that does not fit */
    test_clip_make(&c4, &H2, "front", 3, 3300);
    test_clip_make(&huge, &H, "front", 8, 3000);
    /* room for c1, c2 and the first PIECE of c3, not for all of c3 */
    size_t q = c1.len + c2.len + PIECE + 100;
    REQUIRE(c3.len > 2 * PIECE && c4.len < q && huge.len > q / 2);
    snprintf(quota, sizeof quota, "%zu", q);
    snprintf(clip_max, sizeof clip_max, "%zu", huge.len - 1);
    const char *extra[] = { "--quota", quota, "--clip-max", clip_max, "--patch-max", "16384",
                            "--json-max", "1024", NULL };
    srv_start(&S, extra);
    const uint8_t *hh = porch_roster_household(H.roster), *hh2 = porch_roster_household(H2.roster);
    REQUIRE(srv_create_household(&S, H.roster) == 201);
    REQUIRE(srv_create_household(&S, H2.roster) == 201);
    REQUIRE(srv_login(&S, H.hub, hh, t_hub) == 200 && srv_login(&S, H.owner, hh, t_owner) == 200);
    REQUIRE(srv_login(&S, H2.hub, hh2, t_hub2) == 200);

    /* fill the quota */
    CHECK(upload(t_hub, hh, &c1) == 201);
    CHECK(upload(t_hub, hh, &c2) == 201);
    patch(t_hub, hh, &c3, 0, PIECE, &r);             /* fits: bytes in progress count... */
    CHECK(r.status == 204);
    resp_free(&r);
    patch(t_hub, hh, &c3, PIECE, 2 * PIECE, &r);     /* ...so this one does not */
    CHECK(r.status == 413 && srv_is_error(&r, "quota_exceeded"));
    resp_free(&r);
    CHECK(srv_patch(&S, t_hub, hh, id_of(&c3), c3.bytes, PIECE, c3.len, PIECE) == 413);

    /* another household is unaffected */
    CHECK(upload(t_hub2, hh2, &c4) == 201);

    /* deleting c1 shreds it and frees its bytes: c3 resumes and completes */
    char suffix[100], cid[33];
    hexs(cid, id_of(&c1), 16);
    snprintf(suffix, sizeof suffix, "/clips/%s", cid);
    hh_path(path, sizeof path, hh, suffix);
    CHECK(blob_exists(hh, &c1));
    CHECK(http(&S, "DELETE", path, t_owner, NULL, NULL, 0, &r) == 0 && r.status == 204);
    resp_free(&r);
    CHECK(!blob_exists(hh, &c1));
    CHECK(srv_patch(&S, t_hub, hh, id_of(&c3), c3.bytes, PIECE, c3.len, PIECE) == 204);
    CHECK(srv_complete(&S, t_hub, hh, id_of(&c3), c3.bytes, c3.len) == 201);
    CHECK(blob_exists(hh, &c3));

    /* the caps (the second household has room) */
    srv_stop(&S);   /* a roomy quota, same caps, same store */
    snprintf(quota, sizeof quota, "%zu", 100 * q);
    srv_restart(&S);
    REQUIRE(srv_login(&S, H.hub, hh, t_hub) == 200);
    CHECK(srv_patch(&S, t_hub, hh, id_of(&huge), huge.bytes, 0, huge.len, PIECE) == 413);
    hexs(cid, id_of(&huge), 16);
    snprintf(suffix, sizeof suffix, "/clips/%s/upload", cid);
    hh_path(path, sizeof path, hh, suffix);
    CHECK(http(&S, "HEAD", path, t_hub, NULL, NULL, 0, &r) == 0 && r.status == 200);
    long long at = r.upload_offset;   /* the pieces under clip_max were taken */
    resp_free(&r);
    CHECK(at > 0 && (size_t)at + PIECE > huge.len - 1);
    size_t end = huge.len < (size_t)at + PIECE ? huge.len : (size_t)at + PIECE;
    patch(t_hub, hh, &huge, (size_t)at, end, &r);
    CHECK(r.status == 413 && srv_is_error(&r, "too_large"));
    resp_free(&r);
    const size_t big = 16384 + 1;
    struct test_clip c5;
    test_clip_make(&c5, &H, "front", 3, 6000);
    REQUIRE(c5.len > big);
    patch(t_hub, hh, &c5, 0, big, &r);             /* one byte over patch_max */
    CHECK(r.status == 413 && srv_is_error(&r, "too_large"));
    resp_free(&r);
    hexs(cid, id_of(&c5), 16);
    snprintf(suffix, sizeof suffix, "/clips/%s/upload", cid);
    hh_path(path, sizeof path, hh, suffix);
    CHECK(http(&S, "HEAD", path, t_hub, NULL, NULL, 0, &r) == 0 && r.status == 200 &&
          r.upload_offset == 0);   /* nothing stored */
    resp_free(&r);
    char json[1100];
    memset(json, ' ', sizeof json);
    json[0] = '{';
    json[sizeof json - 1] = '}';
    http(&S, "POST", "/v1/auth/challenge", NULL, NULL, (uint8_t *)json, sizeof json, &r);
    CHECK(r.status == 413 && srv_is_error(&r, "too_large"));
    resp_free(&r);
    http(&S, "POST", "/v1/auth/challenge", NULL, NULL, (uint8_t *)json, 1000, &r);
    CHECK(r.status == 400);   /* under json_max: parsed, and refused for what it is */
    resp_free(&r);
    CHECK(http(&S, "GET", "/v1/health", NULL, NULL, NULL, 0, &r) == 0 && r.status == 200);
    resp_free(&r);

    test_clip_free(&c1);
    test_clip_free(&c2);
    test_clip_free(&c3);
    test_clip_free(&c4);
    test_clip_free(&c5);
    test_clip_free(&huge);
    household_free(&H);
    household_free(&H2);
    srv_cleanup(&S);
    return CHECK_DONE();
}
