/*
 * rules.c: when a track becomes an event, and when the event ends.
 *
 * Life of an event (function responsible for each step):
 *
 *   track seen in a rule's zone, score >= min_score      update_runs()
 *        | for min_seconds, cooldown of class+zone over,
 *        | track not suppressed, no event of its own yet
 *        v
 *   STARTED  --track stationary-->  ENDING (end = stopped + post-roll)
 *        |                             |  moves again: back to STARTED
 *        | track lost                  |  (porch__ev_track_moved)
 *        v                             v
 *   ENDING (end = last seen + post-roll) --pts >= end--> END reported
 *
 * A track carries at most one event at a time. After an event ends on a
 * stationary track, the track is suppressed until it moves (a car that
 * parked after arriving alerts once, not every frame while parked).
 */
#include <stdio.h>
#include <string.h>

#include "porchlight/clip_meta.h"
#include "events/events_internal.h"

/* Cooldown slot of a rule's zone: zones by index, "anywhere" after them. */
static int cool_zone(const porch_events_rule *r)
{
    return r->zone == PORCH_EVENTS_ZONE_ANY ? PORCH_EVENTS_MAX_ZONES : r->zone;
}

void porch__ev_track_lost(porch_events *ev, int slot)
{
    porch__track *t = &ev->t[slot];

    if (t->active < 0)
        return;
    porch__active *a = &ev->act[t->active];
    a->track = -1;
    if (!a->ending) {
        a->ending = 1;
        a->end_us = t->pub.last_us + ev->post_roll_us;
    }
}

void porch__ev_track_moved(porch_events *ev, porch__track *t, int64_t pts_us)
{
    t->pub.suppressed = 0;
    /* Persistence is earned again from now: time spent parked does not
     * count towards the next alert. */
    for (int k = 0; k < PORCH_EVENTS_MAX_RULES; k++)
        t->since[k] = PORCH__EV_NO_RUN;
    if (t->active >= 0 && ev->act[t->active].ending && pts_us < ev->act[t->active].end_us)
        ev->act[t->active].ending = 0;
}

static void update_runs(const porch_events *ev, porch__track *t, int64_t pts_us)
{
    for (int k = 0; k < ev->cfg.nrules; k++) {
        const porch_events_rule *r = &ev->cfg.rules[k];
        if (!(r->classes & PORCH_EVENTS_CLASS_BIT(t->pub.cls)) ||
            !porch__ev_in_zone(&ev->cfg, r->zone, &t->pub))
            t->since[k] = PORCH__EV_NO_RUN;
        /* In the zone with a low score neither starts nor breaks a run:
         * detector scores flicker from frame to frame. */
        else if (t->pub.score >= r->min_score) {
            if (t->since[k] == PORCH__EV_NO_RUN) {
                t->since[k] = pts_us;
                t->run_hits[k] = 0;
            }
            t->run_hits[k]++;
        }
    }
}

static void write_reason(const porch_events *ev, const porch__track *t, int rule, int64_t pts_us,
                         char *out)
{
    const porch_events_rule *r = &ev->cfg.rules[rule];
    double secs = (double)(pts_us - t->since[rule]) / 1e6;
    const char *cls = porch_class_name(t->pub.cls);
    char where[PORCH_EVENTS_ZONE_NAME + 16];

    if (r->zone == PORCH_EVENTS_ZONE_ANY)
        snprintf(where, sizeof(where), "in view");
    else if (ev->cfg.zones[r->zone].name[0] != '\0')
        snprintf(where, sizeof(where), "in zone '%s'", ev->cfg.zones[r->zone].name);
    else
        snprintf(where, sizeof(where), "in zone %d", r->zone);
    snprintf(out, PORCH_EVENTS_REASON, "%s %s for %.1f s (score %.2f, track %u)", cls, where,
             secs, (double)t->pub.max_score, (unsigned)t->pub.id);
}

static int free_active(const porch_events *ev)
{
    for (int k = 0; k < PORCH_EVENTS_MAX_ACTIVE; k++)
        if (!ev->act[k].used)
            return k;
    return -1;
}

/* Index of the first rule t satisfies now, or -1. */
static int rule_met(const porch_events *ev, const porch__track *t, int64_t pts_us)
{
    for (int k = 0; k < ev->cfg.nrules; k++) {
        const porch_events_rule *r = &ev->cfg.rules[k];
        int z = cool_zone(r);
        if (t->since[k] == PORCH__EV_NO_RUN || pts_us - t->since[k] < ev->min_us[k] ||
            t->run_hits[k] < (uint32_t)ev->cfg.min_hits)
            continue;
        if (ev->fired[t->pub.cls][z] && pts_us - ev->fired_us[t->pub.cls][z] < ev->cooldown_us[k])
            continue;
        return k;
    }
    return -1;
}

static int try_start(porch_events *ev, int slot, int64_t pts_us, porch_event *out)
{
    porch__track *t = &ev->t[slot];
    int k = rule_met(ev, t, pts_us), a = free_active(ev);

    if (k < 0 || a < 0)
        return 0; /* no rule met, or all event slots busy: retried next frame */
    const porch_events_rule *r = &ev->cfg.rules[k];
    porch__active *act = &ev->act[a];
    memset(act, 0, sizeof(*act));
    act->used = 1;
    act->track = slot;
    act->ev.kind = PORCH_EVENT_START;
    act->ev.event_id = ev->next_event_id++;
    if (ev->next_event_id == 0)
        ev->next_event_id = 1;
    act->ev.track_id = t->pub.id;
    act->ev.cls = t->pub.cls;
    act->ev.zone = r->zone;
    act->ev.rule = k;
    act->ev.start_us = pts_us;
    act->ev.max_score = t->pub.max_score;
    write_reason(ev, t, k, pts_us, act->ev.reason);
    t->active = a;
    t->pub.event_id = act->ev.event_id;
    ev->fired[t->pub.cls][cool_zone(r)] = 1;
    ev->fired_us[t->pub.cls][cool_zone(r)] = pts_us;
    *out = act->ev;
    return 1;
}

static void emit_end(porch_events *ev, porch__active *a, porch_event *out)
{
    *out = a->ev;
    out->kind = PORCH_EVENT_END;
    out->end_us = a->end_us;
    if (a->track >= 0) {
        porch__track *t = &ev->t[a->track];
        t->active = -1;
        t->pub.event_id = 0;
        /* A live track's event ends only once it is stationary: alerted and
         * parked, so quiet until it moves. (If it moved on the very frame
         * the end fell due, it is no longer stationary and may alert again.) */
        t->pub.suppressed = t->pub.stationary;
    }
    memset(a, 0, sizeof(*a));
}

/* Sorts out[0..n) by event id (insertion sort: n is small). */
static void sort_by_id(porch_event *out, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        porch_event e = out[i];
        size_t j = i;
        for (; j > 0 && out[j - 1].event_id > e.event_id; j--)
            out[j] = out[j - 1];
        out[j] = e;
    }
}

static size_t end_events(porch_events *ev, int64_t pts_us, porch_event *out)
{
    size_t n = 0;

    for (int k = 0; k < PORCH_EVENTS_MAX_ACTIVE; k++) {
        porch__active *a = &ev->act[k];
        if (!a->used)
            continue;
        if (a->track >= 0) {
            const porch__track *t = &ev->t[a->track];
            if (t->pub.max_score > a->ev.max_score)
                a->ev.max_score = t->pub.max_score;
            if (t->pub.stationary && !a->ending) {
                a->ending = 1;
                a->end_us = t->anchor_us + ev->post_roll_us;
            }
        }
        if (a->ending && pts_us >= a->end_us)
            emit_end(ev, a, &out[n++]);
    }
    sort_by_id(out, n);
    return n;
}

size_t porch__ev_rules_frame(porch_events *ev, int64_t pts_us, porch_event *out)
{
    size_t n = end_events(ev, pts_us, out);

    for (int s = 0; s < PORCH_EVENTS_MAX_TRACKS; s++) {
        porch__track *t = &ev->t[s];
        if (t->pub.id == 0 || !t->matched)
            continue;
        update_runs(ev, t, pts_us);
        if (t->active < 0 && !t->pub.suppressed)
            n += (size_t)try_start(ev, s, pts_us, &out[n]);
    }
    return n;
}

size_t porch__ev_end_all(porch_events *ev, porch_event *out)
{
    size_t n = 0;

    for (int k = 0; k < PORCH_EVENTS_MAX_ACTIVE; k++) {
        porch__active *a = &ev->act[k];
        if (!a->used)
            continue;
        if (!a->ending)
            a->end_us = ev->t[a->track].pub.last_us + ev->post_roll_us;
        a->track = -1; /* the tracks are forgotten next */
        emit_end(ev, a, &out[n++]);
    }
    sort_by_id(out, n);
    return n;
}
