/*
 * build.c: the motion and events stages' configurations derived from one
 * analysis configuration, so both see the same zones.
 */
#include <string.h>

#include "porchlight/analysis.h"
#include "analysis/analysis_internal.h"

/* A per-rule override, or the camera-wide value when unset (< 0). */
static float pick(float rule, float camera)
{
    return rule >= 0.0f ? rule : camera;
}

void porch__an_events_config(const porch_analysis_config *cfg, porch_events_config *ev)
{
    porch_events_config_default(ev);
    ev->nzones = cfg->nzones;
    memcpy(ev->zones, cfg->zones, sizeof(ev->zones));
    ev->rules[0].min_score = cfg->min_score;
    ev->rules[0].min_seconds = cfg->min_seconds;
    ev->rules[0].cooldown_seconds = cfg->cooldown_seconds;
    if (cfg->nrules > 0)
        ev->nrules = cfg->nrules;
    for (int i = 0; i < cfg->nrules && i < PORCH_EVENTS_MAX_RULES; i++) {
        const porch_analysis_rule *r = &cfg->rules[i];
        int z = porch__an_zone_index(cfg, r->zone);
        ev->rules[i].classes = r->classes;
        ev->rules[i].zone = z == -2 ? cfg->nzones : z;   /* unknown: rejected by the check */
        ev->rules[i].min_score = pick(r->min_score, cfg->min_score);
        ev->rules[i].min_seconds = pick(r->min_seconds, cfg->min_seconds);
        ev->rules[i].cooldown_seconds = pick(r->cooldown_seconds, cfg->cooldown_seconds);
    }
    ev->iou_min = cfg->iou_min;
    ev->match_dist = cfg->match_dist;
    ev->max_misses = cfg->max_misses;
    ev->stationary_dist = cfg->stationary_dist;
    ev->stationary_size = cfg->stationary_size;
    ev->stationary_seconds = cfg->stationary_seconds;
    ev->parked_memory_seconds = cfg->parked_memory_seconds;
    ev->post_roll_seconds = cfg->post_roll_seconds;
    ev->min_hits = cfg->min_hits;
}

void porch__an_motion_config(const porch_analysis_config *cfg, int w, int h,
                             porch_motion_config *m)
{
    porch_motion_config_default(m, w, h);
    m->nzones = cfg->nzones;
    for (int i = 0; i < cfg->nzones && i < PORCH_MOTION_MAX_ZONES; i++)
        m->zones[i] = cfg->zones[i].poly;
    m->nmasks = cfg->nmasks;
    memcpy(m->masks, cfg->masks, sizeof(m->masks));
    m->sensitivity = cfg->motion_sensitivity;
    if (cfg->motion_min_area > 0)
        m->min_area = cfg->motion_min_area;
}
