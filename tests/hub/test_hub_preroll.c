/*
 * test_hub_preroll.c: a camera reading a file through the live hub (in
 * process): one event, its clip starts at a keyframe no later than the
 * pre-roll before the trigger (and less than one GOP earlier), opens with
 * the owner's key, decodes in FFmpeg with the expected frame count, and
 * carries its reason, labels and a JPEG thumbnail. The directory uploader
 * receives it and the spool marks it uploaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/log.h>

#include "check.h"
#include "hubfix.h"
#include "porchlight/hub.h"

#define FPS 15
#define GOP 30

static porch_hub *start(struct hubfix *f, porch_hub_config **cfg, porch_device_secret **sec)
{
    porch_hub_opts o;
    porch_hub *h = NULL;

    *sec = test_device("hub", 3);
    hubfix_opts(f, cfg, *sec, &o);
    REQUIRE(porch_uploader_dir_new(&o.uploader, f->up) == PORCH_OK);
    REQUIRE(porch_hub_start(&h, &o) == PORCH_OK);
    return h;
}

int main(void)
{
    struct hubfix f;
    char video[700], cams[2048];
    struct clipview v[8];
    porch_hub_config *cfg = NULL;
    porch_device_secret *sec = NULL;
    porch_hub_camera_stats st;
    porch_spool_stats ss;

    av_log_set_level(AV_LOG_ERROR);
    hubfix_init(&f);
    snprintf(video, sizeof video, "%s/scene.mp4", f.dir);
    /* 14 s; motion from 8 s to 10 s. Trigger at frame 120 (8.000 s). */
    REQUIRE(hubfix_video(video, 320, 240, FPS, GOP, 14, 8, 10) == 0);
    snprintf(cams, sizeof cams,
             "[camera front]\nurl = %s\npreroll = 5\npostroll = 1\nzone = 0,0 1,0 1,1\n", video);
    hubfix_config(&f, "", NULL, cams);

    porch_hub *h = start(&f, &cfg, &sec);
    porch_hub_wait(h, 10 * 1000000LL);
    CHECK_OK(porch_hub_get_camera_stats(h, "front", &st));
    CHECK(st.packets == 14 * FPS);
    CHECK(st.events == 1);
    CHECK(st.clips == 1);
    CHECK(st.decode_errors == 0);
    CHECK(porch_hub_uploaded(h) == 1);
    porch_spool_get_stats(porch_hub_spool(h), &ss);
    CHECK(ss.clips == 1 && ss.pending == 0);
    porch_hub_free(h);
    /* The analysis key was kept raw for the analysis parser. */
    CHECK(cfg->cameras[0].n_analysis == 1 && !strcmp(cfg->cameras[0].analysis[0].key, "zone"));

    size_t n = hubfix_clips(&f, f.spool, v, 8);
    CHECK(n == 1);
    if (n >= 1) {
        double lead = v[0].first_label_ms / 1000.0; /* trigger - first frame */
        printf("clip %s: %u records, %u frames, lead %.3f s, reason '%s', thumb %zu B\n",
               v[0].name, v[0].records, v[0].st.frames, lead, v[0].reason, v[0].thumb_len);
        CHECK(v[0].framing_ok && v[0].opened && v[0].media_ok);
        CHECK(!strcmp(v[0].camera, "front"));
        CHECK(v[0].st.first_is_key);
        CHECK(v[0].st.decode_errors == 0);
        /* Keyframes every 2 s: the one at 2.0 s is the newest >= 5 s before 8.0 s. */
        CHECK(lead >= 5.0 && lead < 5.0 + (double)GOP / FPS);
        CHECK(lead > 5.99 && lead < 6.01);
        /* Frames 30 .. 179: the patch shows on frames 120..149 and leaves at
         * 150 (the last change), quiet 1 s -> ENDED at frame 165, post-roll
         * 1 s -> the packet of frame 180 is the first not recorded. */
        CHECK(v[0].st.frames == 150);
        CHECK(v[0].st.frames == v[0].st.packets);
        CHECK(strstr(v[0].reason, "frame difference") != NULL);
        CHECK(v[0].n_labels >= 1);
        CHECK(v[0].thumb_jpeg);
        /* 1 INIT + one fragment per GOP + META. */
        CHECK(v[0].records == 2 + 150 / GOP);
    }
    CHECK(hubfix_count(f.spool, ".up") == 1);
    CHECK(hubfix_count(f.spool, ".partial") == 0 && hubfix_count(f.spool, ".tail") == 0);
    struct clipview u[2];
    CHECK(hubfix_clips(&f, f.up, u, 2) == 1 && u[0].opened);
    if (check_failures_)
        hubfix_log_dump();
    porch_device_free(sec);
    porch_hub_config_free(cfg);
    hubfix_free(&f);
    return CHECK_DONE();
}
