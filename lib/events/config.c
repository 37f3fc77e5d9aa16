/*
 * config.c: event configuration defaults and validation. Every limit is
 * checked here, once, so the per-frame code can trust the configuration.
 */
#include <math.h>
#include <string.h>

#include "porchlight/clip_meta.h"
#include "porchlight/error.h"
#include "events/events_internal.h"
#include "motion/mask.h"

void porch_events_config_default(porch_events_config *cfg)
{
    if (cfg == NULL)
        return;
    memset(cfg, 0, sizeof(*cfg));
    cfg->nrules = 1;
    cfg->rules[0].classes = PORCH_EVENTS_CLASSES_ALL;
    cfg->rules[0].zone = PORCH_EVENTS_ZONE_ANY;
    cfg->rules[0].min_score = 0.5f;
    cfg->rules[0].min_seconds = 1.0f;
    cfg->rules[0].cooldown_seconds = 30.0f;
    cfg->iou_min = 0.3f;
    cfg->match_dist = 0.1f;
    cfg->max_misses = 5;
    cfg->stationary_dist = 0.03f;
    cfg->stationary_size = 0.5f;
    cfg->stationary_seconds = 5.0f;
    cfg->parked_memory_seconds = 60.0f;
    cfg->post_roll_seconds = 5.0f;
    cfg->min_hits = 1;
}

/* lo <= v <= hi and finite (NaN fails every comparison). */
static int in_range(float v, float lo, float hi)
{
    return isfinite(v) && v >= lo && v <= hi;
}

/* Names end up in reasons, which end up in notices and logs: no control
 * characters (a newline could forge a log line), and a terminating NUL. */
static int name_valid(const char *name, size_t size)
{
    const char *end = memchr(name, '\0', size);
    if (end == NULL)
        return 0;
    for (const unsigned char *c = (const unsigned char *)name; *c != '\0'; c++)
        if (*c < 0x20 || *c == 0x7f)
            return 0;
    return 1;
}

static int check_zone(const porch_events_zone *z)
{
    if (!name_valid(z->name, sizeof(z->name)))
        return PORCH_ERR_INVALID_ARG;
    return porch__poly_valid(&z->poly) ? PORCH_OK : PORCH_ERR_INVALID_ARG;
}

static int check_rule(const porch_events_config *cfg, const porch_events_rule *r)
{
    if (r->classes == 0 || (r->classes & ~(unsigned)PORCH_EVENTS_CLASSES_ALL) != 0)
        return PORCH_ERR_INVALID_ARG;
    if (r->zone != PORCH_EVENTS_ZONE_ANY && (r->zone < 0 || r->zone >= cfg->nzones))
        return PORCH_ERR_INVALID_ARG;
    /* Hours of persistence or a day of cooldown are already beyond any use;
     * the bounds keep the microsecond conversions far from overflow. */
    if (!in_range(r->min_score, 0.0f, 1.0f) || !in_range(r->min_seconds, 0.0f, 3600.0f) ||
        !in_range(r->cooldown_seconds, 0.0f, 86400.0f))
        return PORCH_ERR_INVALID_ARG;
    return PORCH_OK;
}

static int check_tracker(const porch_events_config *cfg)
{
    if (!in_range(cfg->iou_min, 1e-6f, 1.0f) || !in_range(cfg->match_dist, 1e-6f, 1.0f))
        return PORCH_ERR_INVALID_ARG;
    if (cfg->max_misses < 1 || cfg->max_misses > 1000)
        return PORCH_ERR_INVALID_ARG;
    if (!in_range(cfg->stationary_dist, 1e-6f, 1.0f) || !in_range(cfg->stationary_size, 0.0f, 10.0f) ||
        !in_range(cfg->stationary_seconds, 1e-3f, 3600.0f) ||
        !in_range(cfg->parked_memory_seconds, 0.0f, 3600.0f) ||
        !in_range(cfg->post_roll_seconds, 0.0f, 3600.0f))
        return PORCH_ERR_INVALID_ARG;
    if (cfg->min_hits < 1 || cfg->min_hits > 1000)
        return PORCH_ERR_INVALID_ARG;
    return PORCH_OK;
}

int porch__ev_config_check(const porch_events_config *cfg)
{
    int err;

    if (cfg->nzones < 0 || cfg->nrules < 1)
        return PORCH_ERR_INVALID_ARG;
    if (cfg->nzones > PORCH_EVENTS_MAX_ZONES || cfg->nrules > PORCH_EVENTS_MAX_RULES)
        return PORCH_ERR_TOO_LARGE;
    for (int k = 0; k < cfg->nzones; k++) {
        err = check_zone(&cfg->zones[k]);
        if (err != PORCH_OK)
            return err;
    }
    for (int k = 0; k < cfg->nrules; k++) {
        err = check_rule(cfg, &cfg->rules[k]);
        if (err != PORCH_OK)
            return err;
    }
    return check_tracker(cfg);
}
