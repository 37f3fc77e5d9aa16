/*
 * test_server_crash.c: kill -9 during uploads at many points (after a
 * PATCH was acknowledged, and mid-PATCH with a large body in flight),
 * restart on the same data directory, and check after each restart: no
 * partial clip is listed or served, the stored offset is exactly what was
 * acknowledged (never less, never unacknowledged bytes), and every upload
 * resumes to completion with the right SHA-256. A completed clip whose
 * rename a crash undid (row kept, bytes still under the partial name) is
 * served and shredded from there.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "household.h"
#include "support/srvtest.h"
#include "testclip.h"

#define N_CLIPS 3
#define PIECE (192u * 1024u)

static struct srv S;
static struct household H;
static const uint8_t *HH;
static char tok_hub[64], tok_owner[64];

static void clip_path(char *out, size_t cap, const uint8_t *clip, const char *tail)
{
    char cid[33], suffix[128];

    hexs(cid, clip, 16);
    snprintf(suffix, sizeof suffix, "/clips/%s%s", cid, tail);
    hh_path(out, cap, HH, suffix);
}

static long long stored_offset(const uint8_t *clip, int *complete)
{
    char path[256];
    struct resp r;
    long long off;

    clip_path(path, sizeof path, clip, "/upload");
    http(&S, "HEAD", path, tok_hub, NULL, NULL, 0, &r);
    off = r.status == 200 ? r.upload_offset : -2;
    *complete = r.upload_complete;
    resp_free(&r);
    return off;
}

/* Nothing but completed clips is listed, and an unfinished one is not served. */
static void check_visible(size_t n_complete, const uint8_t *unfinished)
{
    char path[256];
    struct resp r;
    json_t *j = NULL;

    hh_path(path, sizeof path, HH, "/clips");
    http(&S, "GET", path, tok_owner, NULL, NULL, 0, &r);
    CHECK(r.status == 200 && (j = json_loadb((char *)r.body, r.len, 0, NULL)));
    if (r.status == 200 && j) {
        CHECK(json_array_size(json_object_get(j, "clips")) == n_complete);
        json_decref(j);
    }
    resp_free(&r);
    if (unfinished) {
        clip_path(path, sizeof path, unfinished, "");
        http(&S, "GET", path, tok_owner, NULL, NULL, 0, &r);
        CHECK(r.status == 404);
        resp_free(&r);
    }
}

/* Sends the head and half of a PATCH body, then kills the server while it is in flight. */
static void kill_mid_patch(const uint8_t *clip, const uint8_t *bytes, size_t off, size_t len)
{
    struct sockaddr_in a;
    char req[512], path[256];
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    clip_path(path, sizeof path, clip, "/upload");
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)S.port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    snprintf(req, sizeof req,
             "PATCH %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nUpload-Offset: %zu\r\n"
             "Content-Type: application/octet-stream\r\nContent-Length: %zu\r\n\r\n",
             path, tok_hub, off, len);
    REQUIRE(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
    REQUIRE(write(fd, bytes + off, len / 2) == (ssize_t)(len / 2));
    usleep(150000);   /* the server has written part of it to the partial file */
    srv_kill9(&S);
    close(fd);
}

static void blob_names(const uint8_t *clip, char *blob, char *partial, size_t cap)
{
    char h[33], c[33];

    hexs(h, HH, 16);
    hexs(c, clip, 16);
    snprintf(blob, cap, "%s/blobs/%s/%s", S.data, h, c);
    snprintf(partial, cap, "%s/partial/%s-%s", S.data, h, c);
}

/* What a crash between complete's rename and its directory fsync may leave. */
static void undo_rename(const uint8_t *clip)
{
    char blob[1024], partial[1024];

    blob_names(clip, blob, partial, sizeof blob);
    CHECK(rename(blob, partial) == 0);
}

/* DELETE finds the clip under its partial name and removes it. */
static void check_shred_partial(const uint8_t *clip)
{
    char path[256], blob[1024], partial[1024];
    struct resp r;

    clip_path(path, sizeof path, clip, "");
    http(&S, "DELETE", path, tok_owner, NULL, NULL, 0, &r);
    CHECK(r.status == 204);
    resp_free(&r);
    blob_names(clip, blob, partial, sizeof blob);
    CHECK(access(partial, F_OK) != 0 && access(blob, F_OK) != 0);
    http(&S, "GET", path, tok_owner, NULL, NULL, 0, &r);
    CHECK(r.status == 404);
    resp_free(&r);
}

static void restart(void)
{
    srv_restart(&S);   /* tokens are durable: no new login needed */
}

int main(void)
{
    struct test_clip tc[N_CLIPS];
    size_t acked[N_CLIPS] = { 0 }, n_complete = 0, kills = 0;
    porch_clip_info info[N_CLIPS];

    REQUIRE(porch_init() == PORCH_OK);
    household_init(&H);
    HH = porch_roster_household(H.roster);
    srv_start(&S, NULL);
    REQUIRE(srv_create_household(&S, H.roster) == 201);
    REQUIRE(srv_login(&S, H.hub, HH, tok_hub) == 200);
    REQUIRE(srv_login(&S, H.owner, HH, tok_owner) == 200);
    for (int i = 0; i < N_CLIPS; i++) {
        test_clip_make(&tc[i], &H, "front", 12, 60000 + 1000u * (unsigned)i);
        REQUIRE(porch_clip_header_parse(&info[i], tc[i].bytes, tc[i].len) == PORCH_OK);
    }
    printf("clips of %zu, %zu, %zu bytes\n", tc[0].len, tc[1].len, tc[2].len);
    /* Clips one after another; each piece is either acknowledged then killed
     * (A) or killed in flight (B), alternating, until the clip is whole. */
    for (int i = 0; i < N_CLIPS; i++) {
        int mode = 0;
        while (acked[i] < tc[i].len) {
            size_t n = tc[i].len - acked[i] < PIECE ? tc[i].len - acked[i] : PIECE;
            int complete = 0;
            if (mode++ % 2 == 0) {
                CHECK(srv_patch(&S, tok_hub, HH, info[i].clip_id, tc[i].bytes, acked[i],
                                acked[i] + n, n) == 204);
                acked[i] += n;
                srv_kill9(&S);
            } else {
                kill_mid_patch(info[i].clip_id, tc[i].bytes, acked[i], n);
            }
            kills++;
            restart();
            long long off = stored_offset(info[i].clip_id, &complete);
            if (off != (long long)acked[i])
                fprintf(stderr, "clip %d: stored offset %lld, acknowledged %zu\n", i, off,
                        acked[i]);
            CHECK(off == (long long)acked[i] && !complete);
            check_visible(n_complete, info[i].clip_id);
        }
        /* complete; a kill right after must leave it complete and intact */
        CHECK(srv_complete(&S, tok_hub, HH, info[i].clip_id, tc[i].bytes, tc[i].len) == 201);
        n_complete++;
        srv_kill9(&S);
        kills++;
        restart();
        check_visible(n_complete, NULL);
        CHECK(srv_complete(&S, tok_hub, HH, info[i].clip_id, tc[i].bytes, tc[i].len) == 200);
    }
    printf("%zu kill -9 points\n", kills);
    CHECK(kills >= 20);
    /* complete's directory fsync and row commit overlap, so a crash may keep
     * the row and undo the rename: clip 0 is put back under its partial name;
     * it must still download whole (below) and be shredded from there. */
    srv_kill9(&S);
    undo_rename(info[0].clip_id);
    restart();
    /* every clip downloads whole, with the right hash */
    for (int i = 0; i < N_CLIPS; i++) {
        char path[256];
        struct resp r;
        uint8_t a[32], b[32];
        clip_path(path, sizeof path, info[i].clip_id, "");
        http(&S, "GET", path, tok_owner, NULL, NULL, 0, &r);
        CHECK(r.status == 200 && r.len == tc[i].len);
        crypto_hash_sha256(a, r.body ? r.body : (const uint8_t *)"", r.len);
        crypto_hash_sha256(b, tc[i].bytes, tc[i].len);
        CHECK(memcmp(a, b, 32) == 0);
        resp_free(&r);
        test_clip_free(&tc[i]);
    }
    check_shred_partial(info[0].clip_id);
    srv_cleanup(&S);
    household_free(&H);
    return CHECK_DONE();
}
