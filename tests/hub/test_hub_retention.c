/*
 * test_hub_retention.c: a camera's `retention` in the spool.
 *
 * 1. The real porchlight-hub with `retention = 1s` and a directory target:
 *    after `--once` the clip and its notice are at the target and the
 *    spool no longer holds the clip (it was uploaded and is past retention).
 * 2. The spool API at chosen times, on clips recorded without a target
 *    (never uploaded): a young clip stays; an un-uploaded clip past its
 *    retention is kept, counted overdue and reported once; once uploaded,
 *    the next pass removes it; a camera without retention keeps its clips.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "hubfix.h"
#include "porchlight/hub.h"

#define HOUR_US (UINT64_C(3600) * 1000000)

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static size_t overdue_reports;

static void log_fn(void *ctx, int level, const char *camera, const char *msg)
{
    (void)ctx;
    (void)camera;
    pthread_mutex_lock(&mu);
    overdue_reports += level == PORCH_HUB_WARN && strstr(msg, "past its retention") &&
                       strstr(msg, "NOT uploaded");
    printf("  report: %s\n", msg);
    pthread_mutex_unlock(&mu);
}

static uint64_t one_hour_front(void *ctx, const char *camera)
{
    (void)ctx;
    return strcmp(camera, "front") ? 0 : HOUR_US;
}

static uint64_t start_of(const char *name)
{
    return strtoull(name, NULL, 16); /* the 16 hex digits before '-' */
}

static void through_the_program(struct hubfix *f, const char *video)
{
    char cams[1024], target[700], log[700];
    char *argv[] = { hubfix_bin("hub/porchlight-hub"), "run", "--config", f->conf, "--once",
                     NULL };

    snprintf(cams, sizeof cams,
             "[camera front]\nurl = %s\nrealtime = yes\npreroll = 1\npostroll = 0.5\n"
             "retention = 1s\n", video);
    snprintf(target, sizeof target, "file://%s", f->up);
    hubfix_config(f, "", target, cams);
    snprintf(log, sizeof log, "%s/hub.log", f->dir);
    CHECK(hubfix_wait(hubfix_spawn(argv, log), 60) == 0);
    CHECK(hubfix_count(f->up, ".clip") == 1);
    CHECK(hubfix_count(f->up, ".notice") == 1);
    CHECK(hubfix_count(f->spool, ".clip") == 0);
    CHECK(hubfix_count(f->spool, ".up") == 0);
    CHECK(hubfix_count(f->spool, ".notice") == 0);
}

static void at_chosen_times(struct hubfix *f, const char *video)
{
    char cams[1024], name[PORCH_SPOOL_NAME_BYTES], log[700];
    porch_spool *s = NULL;
    porch_spool_stats st;
    char *argv[] = { hubfix_bin("hub/porchlight-hub"), "run", "--config", f->conf, "--once",
                     NULL };

    snprintf(f->spool, sizeof f->spool, "%s/spool2", f->dir);
    snprintf(cams, sizeof cams,
             "[camera front]\nurl = %s\npreroll = 1\npostroll = 0.5\nretention = 1h\n", video);
    hubfix_config(f, "", NULL, cams); /* no target: the clip stays un-uploaded */
    snprintf(log, sizeof log, "%s/hub2.log", f->dir);
    CHECK(hubfix_wait(hubfix_spawn(argv, log), 60) == 0);
    CHECK(hubfix_count(f->spool, ".notice") == 0); /* no target: no notice queued */

    REQUIRE(porch_spool_open(&s, f->spool, (uint64_t)1 << 30, log_fn, NULL) == PORCH_OK);
    REQUIRE(porch_spool_next_pending(s, NULL, name) == 1);
    uint64_t t0 = start_of(name);
    CHECK_OK(porch_spool_expire(s, t0 + HOUR_US / 2, one_hour_front, NULL));
    porch_spool_get_stats(s, &st);
    CHECK(st.clips == 1 && st.expired == 0 && st.overdue == 0 && overdue_reports == 0);
    /* Past retention, not uploaded: kept, reported once. */
    CHECK_OK(porch_spool_expire(s, t0 + 2 * HOUR_US, one_hour_front, NULL));
    CHECK_OK(porch_spool_expire(s, t0 + 2 * HOUR_US + 60000000, one_hour_front, NULL));
    porch_spool_get_stats(s, &st);
    CHECK(st.clips == 1 && st.expired == 0 && st.overdue == 1 && overdue_reports == 1);
    /* Uploaded now: the next pass removes it. */
    CHECK_OK(porch_spool_mark_uploaded(s, name));
    CHECK_OK(porch_spool_expire(s, t0 + 3 * HOUR_US, one_hour_front, NULL));
    porch_spool_get_stats(s, &st);
    CHECK(st.clips == 0 && st.expired == 1 && st.overdue == 0);
    CHECK(hubfix_count(f->spool, ".up") == 0);
    porch_spool_close(s);

    /* Another camera's clip with no retention: kept however old, uploaded or not. */
    snprintf(cams, sizeof cams, "[camera back]\nurl = %s\npreroll = 1\npostroll = 0.5\n", video);
    hubfix_config(f, "", NULL, cams);
    CHECK(hubfix_wait(hubfix_spawn(argv, log), 60) == 0);
    REQUIRE(porch_spool_open(&s, f->spool, (uint64_t)1 << 30, log_fn, NULL) == PORCH_OK);
    REQUIRE(porch_spool_next_pending(s, NULL, name) == 1);
    CHECK_OK(porch_spool_mark_uploaded(s, name));
    CHECK_OK(porch_spool_expire(s, start_of(name) + 1000 * HOUR_US, one_hour_front, NULL));
    porch_spool_get_stats(s, &st);
    CHECK(st.clips == 1 && st.expired == 0);
    porch_spool_close(s);
}

int main(void)
{
    struct hubfix f;
    char video[700];

    REQUIRE(porch_init() == PORCH_OK);
    if (!hubfix_have("ffmpeg") || access(hubfix_bin("hub/porchlight-hub"), X_OK) != 0)
        return 77;
    hubfix_init(&f);
    snprintf(video, sizeof video, "%s/short.mp4", f.dir);
    /* 4 s at 15 fps, motion from 0.5 s to 1.5 s: one event. */
    REQUIRE(hubfix_video(video, 160, 120, 15, 15, 4, 0.5, 1.5) == 0);
    through_the_program(&f, video);
    at_chosen_times(&f, video);
    hubfix_free(&f);
    return CHECK_DONE();
}
