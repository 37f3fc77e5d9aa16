/*
 * config.c: analysis configuration defaults, one `key = value` setting at a
 * time, and the whole-configuration check. Values are parsed into a copy and
 * stored only when the whole value is good, so a bad line changes nothing.
 */
#include <stddef.h>
#include <string.h>

#include "porchlight/analysis.h"
#include "porchlight/error.h"
#include "analysis/analysis_internal.h"
#include "events/events_internal.h"

void porch_analysis_config_default(porch_analysis_config *cfg)
{
    porch_events_config ev;

    if (cfg == NULL)
        return;
    memset(cfg, 0, sizeof(*cfg));
    porch_events_config_default(&ev);
    cfg->min_score = ev.rules[0].min_score;
    cfg->min_seconds = ev.rules[0].min_seconds;
    cfg->cooldown_seconds = ev.rules[0].cooldown_seconds;
    cfg->min_hits = 1;
    cfg->detect_score = 0.35f;
    cfg->nms_iou = 0.6f;
    cfg->max_detect_fps = 5.0f;
    cfg->min_detect_fps = 0.5f;
    cfg->crop = PORCH_ANALYSIS_CROP_AUTO;
    cfg->crop_max_area = 0.35f;
    cfg->crop_margin = 0.5f;
    cfg->motion_gate = 1;
    cfg->motion_sensitivity = 5;
    cfg->iou_min = ev.iou_min;
    cfg->match_dist = ev.match_dist;
    cfg->max_misses = ev.max_misses;
    cfg->stationary_dist = ev.stationary_dist;
    cfg->stationary_size = ev.stationary_size;
    cfg->stationary_seconds = ev.stationary_seconds;
    cfg->parked_memory_seconds = ev.parked_memory_seconds;
    cfg->post_roll_seconds = ev.post_roll_seconds;
}

/* A float-valued key: where it lives and its accepted range. */
typedef struct fkey {
    const char *name;
    size_t off;
    float lo, hi;
} fkey;

#define F(name, field, lo, hi) { name, offsetof(porch_analysis_config, field), lo, hi }
static const fkey fkeys[] = {
    F("min_score", min_score, 0.0f, 1.0f),
    F("persistence", min_seconds, 0.0f, 3600.0f),
    F("cooldown", cooldown_seconds, 0.0f, 86400.0f),
    F("detect_score", detect_score, 0.0f, 1.0f),
    F("nms_iou", nms_iou, 1e-6f, 1.0f),
    F("detect_max_fps", max_detect_fps, 1e-3f, 1000.0f),
    F("detect_min_fps", min_detect_fps, 0.0f, 1000.0f),
    F("crop_max_area", crop_max_area, 0.0f, 1.0f),
    F("crop_margin", crop_margin, 0.0f, 10.0f),
    F("track_iou", iou_min, 1e-6f, 1.0f),
    F("track_distance", match_dist, 1e-6f, 1.0f),
    F("stationary_distance", stationary_dist, 1e-6f, 1.0f),
    F("stationary_size", stationary_size, 0.0f, 10.0f),
    F("stationary_seconds", stationary_seconds, 1e-3f, 3600.0f),
    F("parked_memory", parked_memory_seconds, 0.0f, 3600.0f),
    F("post_roll", post_roll_seconds, 0.0f, 3600.0f),
};
#undef F

typedef struct ikey {
    const char *name;
    size_t off;
    int lo, hi;
} ikey;

#define I(name, field, lo, hi) { name, offsetof(porch_analysis_config, field), lo, hi }
static const ikey ikeys[] = {
    I("motion_sensitivity", motion_sensitivity, 1, 10),
    I("motion_min_area", motion_min_area, 0, PORCH_MOTION_MAX_DIM * PORCH_MOTION_MAX_DIM),
    I("track_max_misses", max_misses, 1, 1000),
    I("min_hits", min_hits, 1, 1000),
    I("motion_gate", motion_gate, 0, 1),
};
#undef I

static int set_float(porch_analysis_config *cfg, const fkey *k, const char *value)
{
    float v;

    if (porch__an_float(value, &v) != PORCH_OK || !(v >= k->lo && v <= k->hi))
        return PORCH_ERR_ANALYSIS_VALUE;
    memcpy((char *)cfg + k->off, &v, sizeof(v));
    return PORCH_OK;
}

static int set_int(porch_analysis_config *cfg, const ikey *k, const char *value)
{
    long v;

    if (porch__an_long(value, &v) != PORCH_OK || v < k->lo || v > k->hi)
        return PORCH_ERR_ANALYSIS_VALUE;
    int iv = (int)v;
    memcpy((char *)cfg + k->off, &iv, sizeof(iv));
    return PORCH_OK;
}

static int set_crop(porch_analysis_config *cfg, const char *value)
{
    if (strcmp(value, "auto") == 0)
        cfg->crop = PORCH_ANALYSIS_CROP_AUTO;
    else if (strcmp(value, "off") == 0)
        cfg->crop = PORCH_ANALYSIS_CROP_OFF;
    else
        return PORCH_ERR_ANALYSIS_VALUE;
    return PORCH_OK;
}

static int add_mask(porch_analysis_config *cfg, const char *value)
{
    porch_motion_polygon p;
    int err;

    if (cfg->nmasks >= PORCH_MOTION_MAX_ZONES)
        return PORCH_ERR_TOO_LARGE;
    err = porch__an_polygon(value, &p);
    if (err != PORCH_OK)
        return err;
    cfg->masks[cfg->nmasks++] = p;
    return PORCH_OK;
}

static int add_zone(porch_analysis_config *cfg, const char *value)
{
    porch_events_zone z;
    int err;

    if (cfg->nzones >= PORCH_ANALYSIS_MAX_ZONES)
        return PORCH_ERR_TOO_LARGE;
    err = porch__an_zone(value, &z);
    if (err != PORCH_OK)
        return err;
    for (int i = 0; i < cfg->nzones; i++)
        if (strcmp(cfg->zones[i].name, z.name) == 0)
            return PORCH_ERR_ANALYSIS_VALUE;   /* rules name zones: names are unique */
    cfg->zones[cfg->nzones++] = z;
    return PORCH_OK;
}

static int add_rule(porch_analysis_config *cfg, const char *value)
{
    porch_analysis_rule r;
    int err;

    if (cfg->nrules >= PORCH_ANALYSIS_MAX_RULES)
        return PORCH_ERR_TOO_LARGE;
    err = porch__an_rule(value, &r);
    if (err != PORCH_OK)
        return err;
    cfg->rules[cfg->nrules++] = r;
    return PORCH_OK;
}

int porch_analysis_config_set(porch_analysis_config *cfg, const char *key, const char *value)
{
    if (cfg == NULL || key == NULL || value == NULL)
        return PORCH_ERR_INVALID_ARG;
    for (size_t i = 0; i < sizeof fkeys / sizeof fkeys[0]; i++)
        if (strcmp(key, fkeys[i].name) == 0)
            return set_float(cfg, &fkeys[i], value);
    for (size_t i = 0; i < sizeof ikeys / sizeof ikeys[0]; i++)
        if (strcmp(key, ikeys[i].name) == 0)
            return set_int(cfg, &ikeys[i], value);
    if (strcmp(key, "crop") == 0)
        return set_crop(cfg, value);
    if (strcmp(key, "zone") == 0)
        return add_zone(cfg, value);
    if (strcmp(key, "mask") == 0)
        return add_mask(cfg, value);
    if (strcmp(key, "alert") == 0)
        return add_rule(cfg, value);
    return PORCH_ERR_ANALYSIS_KEY;
}

static int check_values(const porch_analysis_config *cfg)
{
    for (size_t i = 0; i < sizeof fkeys / sizeof fkeys[0]; i++) {
        float v;
        memcpy(&v, (const char *)cfg + fkeys[i].off, sizeof(v));
        if (!(v >= fkeys[i].lo && v <= fkeys[i].hi))
            return PORCH_ERR_ANALYSIS_VALUE;
    }
    for (size_t i = 0; i < sizeof ikeys / sizeof ikeys[0]; i++) {
        int v;
        memcpy(&v, (const char *)cfg + ikeys[i].off, sizeof(v));
        if (v < ikeys[i].lo || v > ikeys[i].hi)
            return PORCH_ERR_ANALYSIS_VALUE;
    }
    if (cfg->crop != PORCH_ANALYSIS_CROP_OFF && cfg->crop != PORCH_ANALYSIS_CROP_AUTO)
        return PORCH_ERR_ANALYSIS_VALUE;
    if (cfg->nzones < 0 || cfg->nzones > PORCH_ANALYSIS_MAX_ZONES || cfg->nmasks < 0 ||
        cfg->nmasks > PORCH_MOTION_MAX_ZONES || cfg->nrules < 0 ||
        cfg->nrules > PORCH_ANALYSIS_MAX_RULES)
        return PORCH_ERR_ANALYSIS_VALUE;
    return PORCH_OK;
}

int porch__an_zone_index(const porch_analysis_config *cfg, const char *name)
{
    if (name[0] == '\0')
        return PORCH_EVENTS_ZONE_ANY;
    for (int i = 0; i < cfg->nzones; i++)
        if (strncmp(cfg->zones[i].name, name, PORCH_EVENTS_ZONE_NAME) == 0)
            return i;
    return -2;
}

int porch_analysis_config_check(const porch_analysis_config *cfg)
{
    porch_events_config ev;
    int err;

    if (cfg == NULL)
        return PORCH_ERR_INVALID_ARG;
    err = check_values(cfg);
    if (err != PORCH_OK)
        return err;
    for (int i = 0; i < cfg->nrules; i++) {
        if (memchr(cfg->rules[i].zone, '\0', PORCH_EVENTS_ZONE_NAME) == NULL)
            return PORCH_ERR_ANALYSIS_VALUE;
        if (porch__an_zone_index(cfg, cfg->rules[i].zone) == -2)
            return PORCH_ERR_ANALYSIS_ZONE;
    }
    /* The events stage checks zones, polygons and rule values once more. */
    porch__an_events_config(cfg, &ev);
    err = porch__ev_config_check(&ev);
    return err == PORCH_ERR_INVALID_ARG ? PORCH_ERR_ANALYSIS_VALUE : err;
}
