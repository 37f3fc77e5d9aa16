/*
 * test_hub_server.c: the real porchlight-hub uploading to the real
 * porchlight-server on loopback, with the server down while the events
 * happen. Two cameras record one event each into the spool while nothing
 * answers; the server comes back; `--once` must then drain the queue and
 * exit 0. Every clip the spool finished must be on the server byte for byte
 * (the blob the owner fetches is the spool's file), each with a sealed
 * notice that the owner opens and that names it. Skips (77) until both programs are built.
 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "check.h"
#include "hubfix.h"
#include "porchlight/client.h"
#include "porchlight/file.h"
#include "porchlight/clip_meta.h"
#include "porchlight/notice.h"
#include "../client/server_proc.h"

static struct hubfix f;
static struct server_proc srv;
static uint8_t server_pk[32];
static uint8_t clip_ids[8][16];

static porch_client *client_as(const porch_device_secret *dev)
{
    porch_client_config cfg = {.base_url = srv.url, .server_pk = server_pk, .device = dev,
                               .household = porch_roster_household(f.hh.roster)};
    porch_client *c = NULL;
    REQUIRE(porch_client_new(&c, &cfg) == PORCH_OK);
    return c;
}

static void create_household(void)
{
    porch_client_config cfg = {.base_url = srv.url};
    porch_client *anon = NULL;
    uint8_t *enc = NULL;
    size_t len = 0;

    REQUIRE(porch_client_new(&anon, &cfg) == PORCH_OK);
    REQUIRE(porch_client_server_info(anon, server_pk, NULL, 0) == PORCH_OK);
    REQUIRE(porch_roster_encode(f.hh.roster, &enc, &len) == PORCH_OK);
    REQUIRE(porch_client_household_create(anon, enc, len, NULL, NULL) == PORCH_OK);
    free(enc);
    porch_client_free(anon);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Each .clip in the spool must be on the server with the same bytes; their
 * ids go to clip_ids. */
static void check_clips_on_server(porch_client *viewer, size_t *n_clips)
{
    DIR *d = opendir(f.spool);
    struct dirent *e;

    *n_clips = 0;
    REQUIRE(d != NULL);
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 5, ".clip") != 0)
            continue;
        char path[1200];
        uint8_t *local = NULL, *remote = NULL, id[16];
        size_t llen = 0, rlen = 0;
        snprintf(path, sizeof path, "%s/%s", f.spool, e->d_name);
        REQUIRE(porch_file_read(path, 1u << 28, &local, &llen) == PORCH_OK);
        REQUIRE(sodium_hex2bin(id, 16, e->d_name + 17, 32, NULL, NULL, NULL) == 0);
        CHECK_OK(porch_client_clip_get(viewer, id, &remote, &rlen));
        CHECK(rlen == llen && remote && memcmp(remote, local, llen) == 0);
        free(local);
        free(remote);
        if (*n_clips < 8)
            memcpy(clip_ids[*n_clips], id, 16);
        (*n_clips)++;
    }
    closedir(d);
}

/* Notices the owner opens whose clip reference is one of clip_ids[0..n). */
static size_t count_notices(porch_client *owner, size_t n)
{
    porch_notice_list nl;
    size_t named = 0;

    CHECK_OK(porch_client_notices_list(owner, 0, 100, &nl));
    for (size_t i = 0; i < nl.n; i++) {
        porch_clip_meta *meta = NULL;
        porch_clip_info info;
        if (porch_notice_open(&meta, &info, nl.items[i].data, nl.items[i].len, f.hh.owner,
                              f.hh.roster) != PORCH_OK)
            continue;
        for (size_t k = 0; k < n && k < 8; k++)
            named += meta->has_clip_ref && memcmp(meta->clip_ref, clip_ids[k], 16) == 0;
        porch_meta_free(meta);
    }
    porch_notice_list_free(&nl);
    return named;
}

int main(void)
{
    char front[700], back[700], cams[2048], server[256], key_hex[65], log[700];
    size_t n_clips = 0;

    REQUIRE(porch_init() == PORCH_OK);
    alarm(170);
    if (!hubfix_have("ffmpeg"))
        return 77;
    server_start(&srv);
    char *hub_bin = hubfix_bin("hub/porchlight-hub");
    if (access(hub_bin, X_OK) != 0)
        return 77;
    hubfix_init(&f);
    create_household();
    snprintf(front, sizeof front, "%s/front.mp4", f.dir);
    snprintf(back, sizeof back, "%s/back.mp4", f.dir);
    REQUIRE(hubfix_video(front, 320, 240, 15, 15, 6, 1.5, 3) == 0);
    REQUIRE(hubfix_video(back, 320, 240, 15, 15, 6, 2, 3.5) == 0);
    snprintf(cams, sizeof cams,
             "[camera front]\nurl = %s\nrealtime = yes\npreroll = 1\npostroll = 0.5\n\n"
             "[camera back]\nurl = %s\nrealtime = yes\npreroll = 1\npostroll = 0.5\n",
             front, back);
    sodium_bin2hex(key_hex, sizeof key_hex, server_pk, 32);
    snprintf(server, sizeof server, "%s\nserver_key = %s", srv.url, key_hex);
    hubfix_config(&f, "", server, cams);

    /* The server goes away before the events and stays away past them. */
    server_stop(&srv);
    snprintf(log, sizeof log, "%s/hub.log", f.dir);
    char *argv[] = {hub_bin, "run", "--config", f.conf, "--once", NULL};
    pid_t pid = hubfix_spawn(argv, log);
    for (int i = 0; i < 200 && hubfix_count(f.spool, ".clip") < 2; i++)
        sleep_ms(100);
    CHECK(hubfix_count(f.spool, ".clip") == 2);
    sleep_ms(3000); /* uploads keep failing and backing off meanwhile */
    CHECK(hubfix_count(f.spool, ".up") == 0);
    server_restart(&srv);
    CHECK(hubfix_wait(pid, 120) == 0); /* --once: drained, then exits */
    CHECK(hubfix_count(f.spool, ".up") == 2);

    porch_client *owner = client_as(f.hh.owner); /* sees both cameras */
    check_clips_on_server(owner, &n_clips);
    CHECK(n_clips == 2);
    CHECK(count_notices(owner, n_clips) == 2);
    porch_client_free(owner);
    if (check_failures_)
        fprintf(stderr, "hub log: %s (PORCH_KEEP_TEST_DIR=1 keeps it)\n", log);
    server_cleanup(&srv);
    hubfix_free(&f);
    return CHECK_DONE();
}
