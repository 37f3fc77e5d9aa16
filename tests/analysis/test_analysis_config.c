/*
 * test_analysis_config.c: the analysis settings parser (`key = value`
 * lines, zones, masks, alert rules), the derived events/motion
 * configurations, and the crop rule, on synthetic inputs.
 */
#include <math.h>
#include <string.h>

#include "check.h"
#include "porchlight/analysis.h"
#include "porchlight/clip_meta.h"
#include "analysis/analysis_internal.h"

#define BIT(c) PORCH_EVENTS_CLASS_BIT(c)

static int parse(porch_analysis_config *cfg, const char *text, int *line)
{
    porch_analysis_config_default(cfg);
    return porch_analysis_config_parse(cfg, text, strlen(text), line);
}

static void test_defaults(void)
{
    porch_analysis_config cfg;
    porch_events_config ev;

    porch_analysis_config_default(&cfg);
    CHECK_OK(porch_analysis_config_check(&cfg));
    CHECK(cfg.crop == PORCH_ANALYSIS_CROP_AUTO && cfg.max_detect_fps == 5.0f);
    porch__an_events_config(&cfg, &ev);
    CHECK(ev.nrules == 1 && ev.rules[0].classes == PORCH_EVENTS_CLASSES_ALL);
    CHECK(ev.rules[0].zone == PORCH_EVENTS_ZONE_ANY && ev.rules[0].min_score == 0.5f);
}

static const char camera[] =
    "# front door\n"
    "alert = person in porch for=2 cooldown=60\n"     /* before its zone: order-free */
    "alert = vehicle,animal score=0.7\n"
    "zone = porch: 0.1,0.5 0.9,0.5 0.9,1 0.1,1\n"
    "mask = 0,0 1,0 1,0.2\r\n"
    "  min_score = 0.55  \n"
    "persistence=1.5\n"
    "cooldown = 20\n"
    "detect_max_fps = 4\n"
    "detect_min_fps = 0\n"
    "crop = off\n"
    "motion_sensitivity = 7\n"
    "\n"
    "[camera back]\n"
    "min_score = 0.9\n";

static void test_camera(void)
{
    porch_analysis_config cfg;
    porch_events_config ev;
    porch_motion_config mc;
    int line = -1;

    CHECK_OK(parse(&cfg, camera, &line));
    CHECK(line == 0);
    CHECK(cfg.nzones == 1 && strcmp(cfg.zones[0].name, "porch") == 0);
    CHECK(cfg.zones[0].poly.nvertices == 4 && cfg.zones[0].poly.v[2].y == 1.0f);
    CHECK(cfg.nmasks == 1 && cfg.masks[0].nvertices == 3);
    CHECK(cfg.min_score == 0.55f && cfg.min_seconds == 1.5f && cfg.cooldown_seconds == 20.0f);
    CHECK(cfg.max_detect_fps == 4.0f && cfg.min_detect_fps == 0.0f);
    CHECK(cfg.crop == PORCH_ANALYSIS_CROP_OFF && cfg.motion_sensitivity == 7);
    porch__an_events_config(&cfg, &ev);
    CHECK(ev.nrules == 2 && ev.nzones == 1);
    CHECK(ev.rules[0].classes == BIT(PORCH_CLASS_PERSON) && ev.rules[0].zone == 0);
    CHECK(ev.rules[0].min_seconds == 2.0f && ev.rules[0].cooldown_seconds == 60.0f);
    CHECK(ev.rules[0].min_score == 0.55f);                 /* camera default */
    CHECK(ev.rules[1].classes == (BIT(PORCH_CLASS_VEHICLE) | BIT(PORCH_CLASS_ANIMAL)));
    CHECK(ev.rules[1].zone == PORCH_EVENTS_ZONE_ANY && ev.rules[1].min_score == 0.7f);
    CHECK(ev.rules[1].min_seconds == 1.5f && ev.rules[1].cooldown_seconds == 20.0f);
    porch__an_motion_config(&cfg, 320, 180, &mc);
    CHECK(mc.nzones == 1 && mc.nmasks == 1 && mc.sensitivity == 7 && mc.width == 320);
}

static void test_errors(void)
{
    static const struct { const char *text; int err, line; } bad[] = {
        { "min_score = 1.5\n", PORCH_ERR_ANALYSIS_VALUE, 1 },
        { "min_score = 0.5x\n", PORCH_ERR_ANALYSIS_VALUE, 1 },
        { "min_score = nan\n", PORCH_ERR_ANALYSIS_VALUE, 1 },
        { "min_score =\n", PORCH_ERR_ANALYSIS_VALUE, 1 },
        { "\nbogus = 1\n", PORCH_ERR_ANALYSIS_KEY, 2 },
        { "no equals sign\n", PORCH_ERR_ANALYSIS_VALUE, 1 },
        { "zone = a: 0,0 1,0\n", PORCH_ERR_ANALYSIS_VALUE, 1 },          /* two vertices */
        { "zone = a: 0,0 1,0 1,1.5\n", PORCH_ERR_ANALYSIS_VALUE, 1 },    /* outside [0,1] */
        { "zone = 0,0 1,0 1,1\n", PORCH_ERR_ANALYSIS_VALUE, 1 },         /* no name */
        { "zone = a: 0,0 1,0 1,1\nzone = a: 0,0 1,0 0,1\n", PORCH_ERR_ANALYSIS_VALUE, 2 },
        { "alert = people\n", PORCH_ERR_ANALYSIS_VALUE, 1 },
        { "alert = person in\n", PORCH_ERR_ANALYSIS_VALUE, 1 },
        { "alert = person score=2\n", PORCH_ERR_ANALYSIS_VALUE, 1 },
        { "alert = person in yard\n", PORCH_ERR_ANALYSIS_ZONE, 0 },        /* found by the check */
        { "crop = sometimes\n", PORCH_ERR_ANALYSIS_VALUE, 1 },
        { "motion_sensitivity = 11\n", PORCH_ERR_ANALYSIS_VALUE, 1 },
        { "track_max_misses = 99999999999999999999\n", PORCH_ERR_ANALYSIS_VALUE, 1 },
        { "[camera\n", PORCH_ERR_ANALYSIS_VALUE, 1 },
    };
    porch_analysis_config cfg;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int line = -1;
        CHECK_ERR(parse(&cfg, bad[i].text, &line), bad[i].err);
        if (line != bad[i].line)
            fprintf(stderr, "case %zu: line %d, want %d\n", i, line, bad[i].line);
        CHECK(line == bad[i].line);
    }
    /* A bad value leaves the setting as it was. */
    porch_analysis_config_default(&cfg);
    CHECK_ERR(porch_analysis_config_set(&cfg, "detect_score", "-1"), PORCH_ERR_ANALYSIS_VALUE);
    CHECK(cfg.detect_score == 0.35f);
    /* Caps: too many zones, a line too long, embedded NUL. */
    for (int i = 0; i < PORCH_ANALYSIS_MAX_ZONES; i++) {
        char z[64];
        snprintf(z, sizeof(z), "z%d: 0,0 1,0 1,1", i);
        CHECK_OK(porch_analysis_config_set(&cfg, "zone", z));
    }
    CHECK_ERR(porch_analysis_config_set(&cfg, "zone", "extra: 0,0 1,0 1,1"), PORCH_ERR_TOO_LARGE);
    char longline[PORCH_ANALYSIS_MAX_LINE + 8];
    memset(longline, ' ', sizeof(longline));
    CHECK_ERR(porch_analysis_config_parse(&cfg, longline, sizeof(longline), NULL),
              PORCH_ERR_TOO_LARGE);
    CHECK_ERR(porch_analysis_config_parse(&cfg, "crop = off\0x", 12, NULL),
              PORCH_ERR_ANALYSIS_VALUE);
    CHECK_ERR(porch_analysis_config_set(NULL, "crop", "off"), PORCH_ERR_INVALID_ARG);
}

static void test_crop(void)
{
    porch_motion_result m;
    porch__an_rect r;

    memset(&m, 0, sizeof(m));
    CHECK(porch__an_crop(&m, 320, 180, 640, 360, 0.5f, 0.35f, &r) == 0);   /* no candidates */
    CHECK(r.x0 == 0.0f && r.x1 == 1.0f);
    m.nregions = 2;
    m.regions[0] = (porch_motion_region){ .x = 100, .y = 80, .w = 10, .h = 20, .candidate = 1 };
    m.regions[1] = (porch_motion_region){ .x = 0, .y = 0, .w = 320, .h = 180, .candidate = 0 };
    /* Too big for a 640x360 picture (a 360-pixel square is 56 %): whole frame. */
    CHECK(porch__an_crop(&m, 320, 180, 640, 360, 0.5f, 0.35f, &r) == 0);
    CHECK(porch__an_crop(&m, 320, 180, 1920, 1080, 0.5f, 0.35f, &r) == 1);
    /* Square, 416 pixels at least (never scaled up). */
    float w = (r.x1 - r.x0) * 1920.0f, h = (r.y1 - r.y0) * 1080.0f;
    CHECK(fabsf(w - h) < 0.5f && fabsf(w - 416.0f) < 0.5f);
    CHECK(r.x0 <= 100.0f / 320 && r.x1 >= 110.0f / 320 && r.y0 <= 80.0f / 180 && r.y1 >= 100.0f / 180);
    /* A large candidate: the whole frame. */
    m.regions[1].candidate = 1;
    CHECK(porch__an_crop(&m, 320, 180, 640, 360, 0.5f, 0.35f, &r) == 0);
    CHECK(r.x0 == 0.0f && r.y1 == 1.0f);
    /* Near the edge: the crop stays inside the frame. */
    m.nregions = 1;
    m.regions[0] = (porch_motion_region){ .x = 315, .y = 175, .w = 5, .h = 5, .candidate = 1 };
    CHECK(porch__an_crop(&m, 320, 180, 1920, 1080, 0.5f, 0.35f, &r) == 1);
    CHECK(r.x1 <= 1.0f && r.y1 <= 1.0f && r.x0 >= 0.0f && r.y0 >= 0.0f);
}

int main(void)
{
    test_defaults();
    test_camera();
    test_errors();
    test_crop();
    return CHECK_DONE();
}
