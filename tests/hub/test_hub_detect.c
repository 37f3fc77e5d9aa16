/*
 * test_hub_detect.c: the live hub with its default trigger, the analysis
 * pipeline (motion, NanoDet, tracker and rules), on real footage.
 *
 *   - people walking (the first 6 s of .deps/media/vtest.mp4): one event
 *     whose sealed reason names a person with a score and a track, with a
 *     person label and a thumbnail, and the clip decodes;
 *   - the same footage as main stream (recorded, 768x576) with a 320x240
 *     analysis stream (analysis_url, decoded): the same event, the clip is
 *     the main stream's;
 *   - a nuisance (a textured patch sliding over a static scene: motion,
 *     but nothing NanoDet calls a person, vehicle or animal): no event;
 *   - an unknown analysis key, a rule naming an undefined zone: the camera
 *     is not recorded, the log names camera, file and line;
 *   - the real porchlight-hub program with a models directory that holds
 *     no model: exit 3 and an error naming the camera and the model path.
 *
 * Skips (77) without .deps/models/nanodet.json or .deps/media/vtest.mp4
 * (scripts/models.sh, scripts/media.sh). The detector is capped at 2 runs
 * per second to keep ASan runs short.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "check.h"
#include "hubfix.h"
#include "porchlight/hub.h"

static char src_dir[2048];

static porch_hub *start(struct hubfix *f, porch_hub_config **cfg, porch_device_secret **sec)
{
    porch_hub_opts o;
    porch_hub *h = NULL;

    *sec = test_device("hub", 3);
    hubfix_opts(f, cfg, *sec, &o);
    if (porch_hub_start(&h, &o) != PORCH_OK)
        hubfix_log_dump();
    REQUIRE(h != NULL);
    return h;
}

/* The first `secs` of vtest.mp4 re-encoded (GOP 1 s), at w x h (0 = as is). */
static int cut(const char *out, double secs, int w, int h)
{
    char in[2300], t[32], vf[64], *argv[32];
    int n = 0;

    snprintf(in, sizeof in, "%s/.deps/media/vtest.mp4", src_dir);
    snprintf(t, sizeof t, "%.3f", secs);
    snprintf(vf, sizeof vf, "scale=%d:%d", w, h);
    char *base[] = { "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", in, "-t", t, "-an",
                     "-c:v", "libx264", "-preset", "veryfast", "-bf", "0", "-g", "10",
                     "-pix_fmt", "yuv420p" };
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
        argv[n++] = base[i];
    if (w > 0) {
        argv[n++] = "-vf";
        argv[n++] = vf;
    }
    argv[n++] = (char *)out;
    argv[n] = NULL;
    return hubfix_wait(hubfix_spawn(argv, NULL), 120) == 0 ? 0 : -1;
}

static void check_person_clip(const struct clipview *v, int width)
{
    printf("clip %s: %u frames %dx%d, reason '%s', %zu labels, thumb %zu B\n", v->name,
           v->st.frames, v->st.width, v->st.height, v->reason, v->n_labels, v->thumb_len);
    CHECK(v->framing_ok && v->opened && v->media_ok);
    CHECK(v->st.decode_errors == 0 && v->st.first_is_key);
    CHECK(v->st.width == width);
    CHECK(!strncmp(v->reason, "person ", 7));
    CHECK(strstr(v->reason, "(score 0.") != NULL && strstr(v->reason, ", track ") != NULL);
    CHECK(v->n_labels >= 1);
    CHECK(v->thumb_jpeg);
}

/* Two cameras: people walking, and a nuisance. */
static void people_and_nuisance(struct hubfix *f, const char *people, const char *nuisance)
{
    char cams[8192];
    struct clipview v[8];
    porch_hub_config *cfg = NULL;
    porch_device_secret *sec = NULL;
    porch_hub_camera_stats st, sn;
    porch_hub *h;

    snprintf(cams, sizeof cams,
             "[hub]\nmodels = %s/.deps/models\ndetect_threads = 1\n"
             "[camera front]\nurl = %s\ntrigger = detect\npreroll = 2\npostroll = 1\n"
             "detect_max_fps = 2\n"
             "[camera back]\nurl = %s\ntrigger = detect\npreroll = 1\npostroll = 1\n"
             "detect_max_fps = 2\n",
             src_dir, people, nuisance);
    hubfix_config(f, "", NULL, cams);
    h = start(f, &cfg, &sec);
    porch_hub_wait(h, 0);
    CHECK_OK(porch_hub_get_camera_stats(h, "front", &st));
    CHECK_OK(porch_hub_get_camera_stats(h, "back", &sn));
    printf("front: %llu frames, %llu events, %llu clips; back: %llu frames, %llu events\n",
           (unsigned long long)st.frames, (unsigned long long)st.events,
           (unsigned long long)st.clips, (unsigned long long)sn.frames,
           (unsigned long long)sn.events);
    CHECK(st.frames == 60 && st.decode_errors == 0);
    CHECK(st.events == 1 && st.clips == 1);
    CHECK(sn.frames > 0 && sn.events == 0 && sn.clips == 0);
    porch_hub_free(h);
    size_t n = hubfix_clips(f, f->spool, v, 8);
    CHECK(n == 1);
    if (n == 1) {
        CHECK(!strcmp(v[0].camera, "front"));
        check_person_clip(&v[0], 768);
    }
    porch_device_free(sec);
    porch_hub_config_free(cfg);
}

/* Main stream recorded, analysis stream decoded. */
static void substream(struct hubfix *f, const char *people, const char *sub)
{
    char cams[8192], spool2[700];
    struct clipview v[8];
    porch_hub_config *cfg = NULL;
    porch_device_secret *sec = NULL;
    porch_hub_camera_stats st;
    porch_hub *h;

    snprintf(spool2, sizeof spool2, "%s/spool2", f->dir);
    snprintf(cams, sizeof cams,
             "[hub]\nmodels = %s/.deps/models\nspool = %s\n"
             "[camera front]\nurl = %s\nanalysis_url = %s\ntrigger = detect\npreroll = 2\n"
             "postroll = 1\ndetect_max_fps = 2\n",
             src_dir, spool2, people, sub);
    hubfix_config(f, "", NULL, cams);
    h = start(f, &cfg, &sec);
    porch_hub_wait(h, 0);
    CHECK_OK(porch_hub_get_camera_stats(h, "front", &st));
    printf("substream: %llu packets, %llu analysis frames, %llu events\n",
           (unsigned long long)st.packets, (unsigned long long)st.frames,
           (unsigned long long)st.events);
    CHECK(st.packets == 60 && st.frames == 60);
    CHECK(st.events == 1 && st.clips == 1);
    porch_hub_free(h);
    size_t n = hubfix_clips(f, spool2, v, 8);
    CHECK(n == 1);
    if (n == 1)
        check_person_clip(&v[0], 768); /* the main stream's pictures, not the 320 ones */
    porch_device_free(sec);
    porch_hub_config_free(cfg);
}

/* An analysis key the pipeline does not know, and one with a bad value:
 * the camera is not recorded, the message names camera, file and line. */
static void bad_settings(struct hubfix *f, const char *people)
{
    char cams[8192];
    porch_hub_config *cfg = NULL;
    porch_device_secret *sec = NULL;
    porch_hub_opts o;
    porch_hub *h = NULL;
    char *log;

    snprintf(cams, sizeof cams,
             "[hub]\nmodels = %s/.deps/models\n"
             "[camera front]\nurl = %s\ntrigger = detect\ncolour = red\n"
             "[camera back]\nurl = %s\ntrigger = detect\nalert = person in garden\n",
             src_dir, people, people);
    hubfix_config(f, "", NULL, cams);
    sec = test_device("hub", 3);
    hubfix_opts(f, &cfg, sec, &o);
    CHECK_ERR(porch_hub_start(&h, &o), PORCH_ERR_HUB_CONFIG);
    CHECK(h == NULL);
    log = hubfix_log_copy();
    CHECK(strstr(log, "front: ") && strstr(log, "hub.conf:15: colour: "));
    CHECK(strstr(log, "back: ") && strstr(log, "analysis settings"));
    free(log);
    porch_device_free(sec);
    porch_hub_config_free(cfg);
}

/* The program: a detect camera whose model cannot be loaded. */
static void bad_model(struct hubfix *f, const char *people)
{
    char cams[2048], log[700];
    char *argv[] = { hubfix_bin("hub/porchlight-hub"), "run", "--config", f->conf, "--once",
                     NULL };

    snprintf(cams, sizeof cams,
             "[hub]\nmodels = %s/no-models-here\n[camera front]\nurl = %s\ntrigger = detect\n",
             f->dir, people);
    hubfix_config(f, "", NULL, cams);
    snprintf(log, sizeof log, "%s/bad-model.log", f->dir);
    CHECK(hubfix_wait(hubfix_spawn(argv, log), 60) == 3);
    CHECK(hubfix_grep(log, "camera 'front': cannot load the detection model") > 0);
    CHECK(hubfix_grep(log, "no-models-here/nanodet.json") > 0);
    if (check_failures_) {
        char cmd[800];
        snprintf(cmd, sizeof cmd, "cat %s >&2", log);
        (void)!system(cmd);
    }
}

int main(void)
{
    struct hubfix f;
    char model[2300], media[2300], people[700], sub[700], nuisance[700];
    const char *src = getenv("PORCH_SOURCE_DIR");

    snprintf(src_dir, sizeof src_dir, "%s", src ? src : ".");
    snprintf(model, sizeof model, "%s/.deps/models/nanodet.json", src_dir);
    snprintf(media, sizeof media, "%s/.deps/media/vtest.mp4", src_dir);
    if (access(model, R_OK) || access(media, R_OK)) {
        printf("SKIP: no %s or %s (run scripts/models.sh and scripts/media.sh)\n", model, media);
        return 77;
    }
    av_log_set_level(AV_LOG_ERROR);
    hubfix_init(&f);
    snprintf(people, sizeof people, "%s/people.mp4", f.dir);
    snprintf(sub, sizeof sub, "%s/people-sub.mp4", f.dir);
    snprintf(nuisance, sizeof nuisance, "%s/nuisance.mp4", f.dir);
    REQUIRE(cut(people, 6, 0, 0) == 0 && cut(sub, 6, 320, 240) == 0);
    REQUIRE(hubfix_video(nuisance, 320, 240, 10, 10, 6, 1, 5) == 0);

    people_and_nuisance(&f, people, nuisance);
    substream(&f, people, sub);
    bad_settings(&f, people);
    bad_model(&f, people);
    if (check_failures_)
        hubfix_log_dump();
    hubfix_free(&f);
    return CHECK_DONE();
}
