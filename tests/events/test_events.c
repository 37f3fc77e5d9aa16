/*
 * test_events.c: the tracker and the event rules on synthetic sequences.
 *
 * Frames come every 100 ms. Objects are boxes moving along straight lines;
 * each scenario checks which events start and end, with which class, zone,
 * track and reason.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "porchlight/clip_meta.h"
#include "porchlight/events.h"

#define STEP_US 100000
#define SEC(s) ((int64_t)((s) * 1000000.0 + 0.5))
#define COCO_PERSON 0
#define COCO_CAR 2
#define COCO_DOG 16
#define COCO_CHAIR 56

/* Every event reported during a scenario. */
typedef struct evlog {
    porch_event e[64];
    size_t n, starts, ends;
} evlog;

/* One object: a box of size w x h whose bottom-centre moves from (x0, y0)
 * at t0 to (x1, y1) at t1, seen from t0 to t1 inclusive. */
typedef struct obj {
    double t0, t1;
    float x0, y0, x1, y1, w, h, score;
    int coco;
    int motion;         /* porch_detection.motion of its detections */
} obj;

static porch_event outbuf[PORCH_EVENTS_MAX_OUT];

static void record(evlog *log, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (log->n < sizeof(log->e) / sizeof(log->e[0]))
            log->e[log->n++] = outbuf[k];
        log->starts += outbuf[k].kind == PORCH_EVENT_START;
        log->ends += outbuf[k].kind == PORCH_EVENT_END;
    }
}

static int make_dets(const obj *objs, size_t nobj, double t, porch_detection *d)
{
    int n = 0;

    for (size_t k = 0; k < nobj; k++) {
        const obj *o = &objs[k];
        if (t < o->t0 - 1e-9 || t > o->t1 + 1e-9)
            continue;
        double a = o->t1 > o->t0 ? (t - o->t0) / (o->t1 - o->t0) : 0.0;
        float cx = (float)(o->x0 + a * (o->x1 - o->x0));
        float by = (float)(o->y0 + a * (o->y1 - o->y0));
        d[n++] = (porch_detection){ .x0 = cx - o->w / 2, .x1 = cx + o->w / 2, .y0 = by - o->h,
                                    .y1 = by, .score = o->score, .coco = o->coco,
                                    .motion = (uint8_t)o->motion };
    }
    return n;
}

/* Runs frames from t0 to t1 seconds (inclusive) and logs the events. */
static void run(porch_events *ev, double t0, double t1, const obj *objs, size_t nobj,
                evlog *log)
{
    porch_detection d[16];

    for (int64_t us = SEC(t0); us <= SEC(t1); us += STEP_US) {
        int n = make_dets(objs, nobj, (double)us / 1e6, d);
        size_t nout = 0;
        CHECK_OK(porch_events_update(ev, us, d, (size_t)n, outbuf, PORCH_EVENTS_MAX_OUT, &nout));
        record(log, nout);
    }
}

static void flush(porch_events *ev, evlog *log)
{
    size_t nout = 0;
    CHECK_OK(porch_events_flush(ev, outbuf, PORCH_EVENTS_MAX_OUT, &nout));
    record(log, nout);
}

/* A porch zone: the lower middle of the frame. */
static void add_porch(porch_events_config *cfg)
{
    porch_events_zone *z = &cfg->zones[cfg->nzones++];
    strcpy(z->name, "porch");
    z->poly.nvertices = 4;
    z->poly.v[0] = (porch_motion_point){ 0.3f, 0.5f };
    z->poly.v[1] = (porch_motion_point){ 0.7f, 0.5f };
    z->poly.v[2] = (porch_motion_point){ 0.7f, 1.0f };
    z->poly.v[3] = (porch_motion_point){ 0.3f, 1.0f };
}

static porch_events *make(const porch_events_config *cfg)
{
    porch_events *ev = NULL;
    CHECK_OK(porch_events_new(&ev, cfg));
    REQUIRE(ev != NULL);
    return ev;
}

static void test_class_map(void)
{
    CHECK(porch_events_class_of(0) == PORCH_CLASS_PERSON);
    int veh[] = { 1, 2, 3, 5, 7 }, ani[] = { 14, 15, 16, 17, 18, 19, 21 };
    for (size_t k = 0; k < sizeof(veh) / sizeof(veh[0]); k++)
        CHECK(porch_events_class_of(veh[k]) == PORCH_CLASS_VEHICLE);
    for (size_t k = 0; k < sizeof(ani) / sizeof(ani[0]); k++)
        CHECK(porch_events_class_of(ani[k]) == PORCH_CLASS_ANIMAL);
    int ignored[] = { -1, 4, 6, 8, 13, 20, 22, 56, 79, 80 };
    for (size_t k = 0; k < sizeof(ignored) / sizeof(ignored[0]); k++)
        CHECK(porch_events_class_of(ignored[k]) == 0);
}

/* A person walks left to right across the porch: exactly one event, with
 * the class, zone, track and reason, ending post-roll after the last sighting. */
static void test_person_crosses_zone(void)
{
    porch_events_config cfg;
    porch_events_config_default(&cfg);
    add_porch(&cfg);
    cfg.rules[0] = (porch_events_rule){ PORCH_EVENTS_CLASS_BIT(PORCH_CLASS_PERSON), 0, 0.5f,
                                        1.0f, 30.0f };
    porch_events *ev = make(&cfg);
    obj p = { 0.0, 6.0, 0.05f, 0.9f, 0.95f, 0.9f, 0.1f, 0.4f, 0.91f, COCO_PERSON };
    evlog log = { 0 };

    run(ev, 0.0, 15.0, &p, 1, &log);
    CHECK(log.starts == 1 && log.ends == 1);
    REQUIRE(log.n == 2);
    const porch_event *s = &log.e[0], *e = &log.e[1];
    CHECK(s->kind == PORCH_EVENT_START && e->kind == PORCH_EVENT_END);
    CHECK(s->cls == PORCH_CLASS_PERSON && s->zone == 0 && s->rule == 0);
    CHECK(s->track_id == 1 && e->track_id == 1 && s->event_id == e->event_id);
    CHECK(strcmp(s->reason, "person in zone 'porch' for 1.0 s (score 0.91, track 1)") == 0);
    /* Bottom-centre enters x >= 0.3 at t = 5/3 s, the first frame 1.7 s. */
    CHECK(s->start_us == SEC(2.7));
    CHECK(e->end_us == SEC(6.0) + SEC(5.0));
    CHECK(fabsf(e->max_score - 0.91f) < 1e-6f);
    porch_events_free(ev);

    /* Negative timestamps work the same (nothing uses -1 as "unset"). */
    ev = make(&cfg);
    memset(&log, 0, sizeof(log));
    p.t0 -= 1000.0;
    p.t1 -= 1000.0;
    run(ev, -1000.0, -985.0, &p, 1, &log);
    CHECK(log.starts == 1 && log.ends == 1);
    porch_events_free(ev);
}

/* One frame of a person: below any persistence, nothing fires. */
static void test_one_frame_false_positive(void)
{
    porch_events_config cfg;
    porch_events_config_default(&cfg);
    porch_events *ev = make(&cfg);
    obj fp = { 10.0, 10.0, 0.5f, 0.9f, 0.5f, 0.9f, 0.1f, 0.3f, 0.95f, COCO_PERSON };
    evlog log = { 0 };

    run(ev, 0.0, 20.0, &fp, 1, &log);
    flush(ev, &log);
    CHECK(log.n == 0);
    porch_events_free(ev);
}

/* One confident hit followed by a second of low-scoring ones fires with
 * min_hits 1 (persistence alone), not with min_hits 3; three confident hits do. */
static void test_min_hits(void)
{
    obj hi = { 10.0, 10.0, 0.5f, 0.9f, 0.5f, 0.9f, 0.1f, 0.3f, 0.9f, COCO_PERSON };
    obj lo = { 10.1, 11.5, 0.5f, 0.9f, 0.52f, 0.9f, 0.1f, 0.3f, 0.4f, COCO_PERSON };
    obj both[2] = { hi, lo };
    porch_events_config cfg;

    for (int hits = 1; hits <= 3; hits += 2) {
        porch_events_config_default(&cfg);
        cfg.min_hits = hits;
        porch_events *ev = make(&cfg);
        evlog log = { 0 };
        run(ev, 0.0, 9.9, NULL, 0, &log);
        for (int i = 0; i < 2; i++)
            run(ev, i == 0 ? 10.0 : 10.1, i == 0 ? 10.0 : 11.5, &both[i], 1, &log);
        flush(ev, &log);
        CHECK(log.starts == (hits == 1 ? 1u : 0u));
        porch_events_free(ev);
    }
    porch_events_config_default(&cfg);
    cfg.min_hits = 3;
    porch_events *ev = make(&cfg);
    evlog log = { 0 };
    hi.t1 = 11.5;
    run(ev, 0.0, 9.9, NULL, 0, &log);
    run(ev, 10.0, 11.5, &hi, 1, &log);
    flush(ev, &log);
    CHECK(log.starts == 1);
    cfg.min_hits = 0;
    porch_events *bad = NULL;
    CHECK_ERR(porch_events_new(&bad, &cfg), PORCH_ERR_INVALID_ARG);
    porch_events_free(ev);
}

/* A car parked since before the analysis began (with detector jitter)
 * never fires. */
static void test_parked_from_start(void)
{
    porch_events_config cfg;
    porch_events_config_default(&cfg);
    porch_events *ev = make(&cfg);
    evlog log = { 0 };
    porch_detection d;

    for (int k = 0; k <= 600; k++) {
        float j = 0.002f * (float)((k * 7) % 5 - 2);
        d = (porch_detection){ 0.2f + j, 0.6f, 0.5f + j, 0.85f - j, 0.8f, COCO_CAR };
        size_t nout = 0;
        CHECK_OK(porch_events_update(ev, (int64_t)k * STEP_US, &d, 1, outbuf,
                                     PORCH_EVENTS_MAX_OUT, &nout));
        record(&log, nout);
    }
    porch_track tr[4];
    size_t nt = 0;
    CHECK_OK(porch_events_tracks(ev, tr, 4, &nt));
    CHECK(nt == 1 && tr[0].stationary && tr[0].suppressed && tr[0].hits == 601);
    flush(ev, &log);
    CHECK(log.n == 0);
    porch_events_free(ev);
}

/* A parked car the detector loses for 2 s (more than max_misses frames)
 * comes back as a new track on the same spot: recognised, still quiet. With
 * the memory off, the same sequence raises a (false) arrival. */
static void test_parked_dropout(void)
{
    porch_events_config cfg;
    porch_events_config_default(&cfg);
    obj car[2] = {
        { 0.0, 30.0, 0.4f, 0.85f, 0.4f, 0.85f, 0.3f, 0.25f, 0.8f, COCO_CAR },
        { 32.0, 60.0, 0.401f, 0.85f, 0.401f, 0.85f, 0.3f, 0.25f, 0.8f, COCO_CAR },
    };

    for (int memory = 1; memory >= 0; memory--) {
        evlog log = { 0 };
        cfg.parked_memory_seconds = memory ? 60.0f : 0.0f;
        porch_events *ev = make(&cfg);
        run(ev, 0.0, 60.0, car, 2, &log);
        porch_track tr[2];
        size_t nt = 0;
        CHECK_OK(porch_events_tracks(ev, tr, 2, &nt));
        CHECK(nt == 1 && tr[0].id == 2);
        CHECK(memory ? log.n == 0 : log.starts == 1);
        porch_events_free(ev);
    }
}

/* A car drives in and parks: one event, which ends once it is parked, and
 * no other while parked; it drives off: a second event, same track. */
static void test_car_parks_then_leaves(void)
{
    porch_events_config cfg;
    porch_events_config_default(&cfg);
    cfg.rules[0].cooldown_seconds = 10.0f;
    porch_events *ev = make(&cfg);
    obj car[3] = {
        { 10.0, 14.0, 0.1f, 0.8f, 0.5f, 0.8f, 0.3f, 0.25f, 0.8f, COCO_CAR },
        { 14.1, 39.9, 0.5f, 0.8f, 0.5f, 0.8f, 0.3f, 0.25f, 0.8f, COCO_CAR },
        { 40.0, 43.0, 0.5f, 0.8f, 0.8f, 0.8f, 0.3f, 0.25f, 0.8f, COCO_CAR },
    };
    evlog log = { 0 };

    run(ev, 0.0, 39.9, car, 3, &log);
    REQUIRE(log.n == 2);
    CHECK(log.e[0].kind == PORCH_EVENT_START && log.e[0].cls == PORCH_CLASS_VEHICLE);
    CHECK(log.e[0].start_us == SEC(11.0) && log.e[0].zone == PORCH_EVENTS_ZONE_ANY);
    CHECK(strncmp(log.e[0].reason, "vehicle in view for 1.0 s", 25) == 0);
    CHECK(log.e[1].kind == PORCH_EVENT_END && log.e[1].end_us <= SEC(20.0));
    run(ev, 40.0, 55.0, car, 3, &log);
    REQUIRE(log.n == 4);
    CHECK(log.e[2].kind == PORCH_EVENT_START && log.e[2].track_id == log.e[0].track_id);
    CHECK(log.e[2].start_us > SEC(40.0) && log.e[2].start_us < SEC(42.0));
    CHECK(log.e[3].kind == PORCH_EVENT_END && log.e[3].end_us == SEC(48.0));
    porch_events_free(ev);
}

/* A car that stops (stationary) but drives on before its event's post-roll
 * is over keeps that one event: no END while stopped, no second START. */
static void test_brief_stop(void)
{
    porch_events_config cfg;
    porch_events_config_default(&cfg);
    cfg.post_roll_seconds = 10.0f;
    cfg.rules[0].cooldown_seconds = 0.0f;
    porch_events *ev = make(&cfg);
    obj car[3] = {
        { 10.0, 14.0, 0.1f, 0.8f, 0.5f, 0.8f, 0.3f, 0.25f, 0.8f, COCO_CAR },
        { 14.1, 20.9, 0.5f, 0.8f, 0.5f, 0.8f, 0.3f, 0.25f, 0.8f, COCO_CAR },
        { 21.0, 24.0, 0.5f, 0.8f, 0.8f, 0.8f, 0.3f, 0.25f, 0.8f, COCO_CAR },
    };
    evlog log = { 0 };

    run(ev, 0.0, 20.9, car, 3, &log);
    porch_track tr[1];
    size_t nt = 0;
    CHECK_OK(porch_events_tracks(ev, tr, 1, &nt));
    CHECK(nt == 1 && tr[0].stationary && tr[0].event_id != 0);
    run(ev, 21.0, 40.0, car, 3, &log);
    CHECK(log.starts == 1 && log.ends == 1);
    REQUIRE(log.n == 2);
    CHECK(log.e[1].kind == PORCH_EVENT_END && log.e[1].end_us == SEC(34.0));
    porch_events_free(ev);
}

/* A parked car first seen long after the start (dusk, a crop, someone
 * hid it) with no motion under it is born suppressed: nothing says it
 * arrived. It drives off (with motion): one event. The same car seen with
 * "unknown" motion is an arrival, as before. */
static void test_static_born(void)
{
    porch_events_config cfg;
    porch_events_config_default(&cfg);
    cfg.rules[0].cooldown_seconds = 0.0f;

    for (int hint = 1; hint >= 0; hint--) {
        obj car[2] = {
            { 20.0, 40.0, 0.5f, 0.8f, 0.5f, 0.8f, 0.3f, 0.25f, 0.8f, COCO_CAR,
              hint ? PORCH_DET_MOTION_NONE : PORCH_DET_MOTION_UNKNOWN },
            { 40.1, 43.0, 0.5f, 0.8f, 0.95f, 0.8f, 0.3f, 0.25f, 0.8f, COCO_CAR,
              PORCH_DET_MOTION_SEEN },
        };
        evlog log = { 0 };
        porch_events *ev = make(&cfg);
        run(ev, 0.0, 40.0, car, 2, &log);
        porch_track tr[2];
        size_t nt = 0;
        CHECK_OK(porch_events_tracks(ev, tr, 2, &nt));
        CHECK(nt == 1 && tr[0].stationary);
        CHECK(hint ? log.n == 0 && tr[0].suppressed : log.starts == 1);
        run(ev, 40.1, 43.0, car, 2, &log);
        CHECK(log.starts == (hint ? 1u : 2u));
        CHECK(log.e[log.n - 1].kind == PORCH_EVENT_START &&
              log.e[log.n - 1].start_us > SEC(40.1) && log.e[log.n - 1].start_us < SEC(42.8));
        porch_events_free(ev);
    }
}

/* A big, partly hidden parked car whose box centre jitters by twice
 * stationary_dist from one frame to the next (leaves in front), with motion
 * under it, stays suppressed: the still radius grows with the box. With
 * stationary_size 0 (a fixed radius, as before) the jitter "moves" it and
 * it alerts. */
static void test_jitter_big_box(void)
{
    for (int scaled = 1; scaled >= 0; scaled--) {
        porch_events_config cfg;
        porch_events_config_default(&cfg);
        cfg.stationary_size = scaled ? 0.5f : 0.0f;
        porch_events *ev = make(&cfg);
        evlog log = { 0 };
        for (int k = 0; k <= 300; k++) {
            float j = 0.06f * (float)(k % 3 - 1);
            porch_detection d = { 0.25f + j, 0.3f, 0.85f + j, 0.8f, 0.7f, COCO_CAR,
                                  PORCH_DET_MOTION_UNKNOWN };
            size_t nout = 0;
            CHECK_OK(porch_events_update(ev, (int64_t)k * STEP_US, &d, 1, outbuf,
                                         PORCH_EVENTS_MAX_OUT, &nout));
            record(&log, nout);
        }
        CHECK(scaled ? log.n == 0 : log.starts >= 1);
        porch_events_free(ev);
    }
}

/* A suppressed (parked) track leaves only on two consecutive hits that
 * agree, seen with motion: a box that jumps out for one hit and back, or
 * one that slides away with no motion under it (a box wandering over a
 * half-hidden car, motion NONE), is not a departure. */
static void test_departure_rules(void)
{
    porch_events_config cfg;
    porch_events_config_default(&cfg);
    porch_events *ev = make(&cfg);
    evlog log = { 0 };
    size_t nout = 0;

    for (int k = 0; k <= 400; k++) {
        /* Parked at x 0.3..0.5 (still radius 0.07); every 4th hit jumps
         * 0.09 right for that hit alone. */
        float j = k % 4 == 0 && k > 0 ? 0.09f : 0.0f;
        porch_detection d = { 0.3f + j, 0.7f, 0.5f + j, 0.8f, 0.8f, COCO_CAR,
                              PORCH_DET_MOTION_UNKNOWN };
        CHECK_OK(porch_events_update(ev, (int64_t)k * STEP_US, &d, 1, outbuf,
                                     PORCH_EVENTS_MAX_OUT, &nout));
        record(&log, nout);
    }
    for (int k = 401; k <= 500; k++) {
        /* Slides right 0.004 per frame, never with motion under it. */
        float s = 0.004f * (float)(k - 400);
        porch_detection d = { 0.3f + s, 0.7f, 0.5f + s, 0.8f, 0.8f, COCO_CAR,
                              PORCH_DET_MOTION_NONE };
        CHECK_OK(porch_events_update(ev, (int64_t)k * STEP_US, &d, 1, outbuf,
                                     PORCH_EVENTS_MAX_OUT, &nout));
        record(&log, nout);
    }
    porch_track tr[2];
    size_t nt = 0;
    CHECK_OK(porch_events_tracks(ev, tr, 2, &nt));
    CHECK(nt == 1 && tr[0].suppressed && log.n == 0);
    porch_events_free(ev);
}

/* A person already walking when the analysis starts, with motion seen
 * under them, is an arrival: one event after the persistence, not
 * "there before we started watching". The same walk with motion unknown
 * starts suppressed and alerts only once it has moved off its spot. */
static void test_startup_moving(void)
{
    porch_events_config cfg;
    porch_events_config_default(&cfg);

    for (int seen = 1; seen >= 0; seen--) {
        obj p[1] = { { 0.0, 6.0, 0.2f, 0.9f, 0.8f, 0.9f, 0.1f, 0.3f, 0.8f, COCO_PERSON,
                       seen ? PORCH_DET_MOTION_SEEN : PORCH_DET_MOTION_UNKNOWN } };
        evlog log = { 0 };
        porch_events *ev = make(&cfg);
        run(ev, 0.0, 6.0, p, 1, &log);
        REQUIRE(log.starts == 1);
        CHECK(seen ? log.e[0].start_us == SEC(1.0) : log.e[0].start_us > SEC(1.0));
        porch_events_free(ev);
    }
}

/* A track born suppressed (no motion) and lost before it was ever
 * stationary is remembered too: the same object re-acquired on the spot,
 * now with motion under it (a passer-by's shadow beside it), stays quiet.
 * Something else of its class arriving elsewhere still alerts. */
static void test_suppressed_lost_remembered(void)
{
    porch_events_config cfg;
    porch_events_config_default(&cfg);
    porch_events *ev = make(&cfg);
    obj o[3] = {
        { 10.0, 12.0, 0.2f, 0.5f, 0.2f, 0.5f, 0.15f, 0.2f, 0.8f, COCO_CAR, PORCH_DET_MOTION_NONE },
        { 14.0, 20.0, 0.2f, 0.5f, 0.2f, 0.5f, 0.15f, 0.2f, 0.8f, COCO_CAR, PORCH_DET_MOTION_SEEN },
        { 14.0, 20.0, 0.7f, 0.9f, 0.95f, 0.9f, 0.15f, 0.2f, 0.8f, COCO_CAR, PORCH_DET_MOTION_SEEN },
    };
    evlog log = { 0 };

    run(ev, 0.0, 20.0, o, 3, &log);
    REQUIRE(log.starts == 1);
    porch_track tr[4];
    size_t nt = 0;
    CHECK_OK(porch_events_tracks(ev, tr, 4, &nt));
    REQUIRE(nt == 2);
    for (size_t i = 0; i < nt; i++)
        CHECK(tr[i].x0 < 0.5f ? tr[i].suppressed && tr[i].event_id == 0
                              : tr[i].event_id == log.e[0].event_id);
    porch_events_free(ev);
}

/* A second person within the cooldown raises nothing; a third after it does. */
static void test_cooldown(void)
{
    porch_events_config cfg;
    porch_events_config_default(&cfg);
    porch_events *ev = make(&cfg);
    obj p[3] = {
        { 10.0, 16.0, 0.05f, 0.9f, 0.95f, 0.9f, 0.1f, 0.4f, 0.9f, COCO_PERSON },
        { 25.0, 31.0, 0.95f, 0.9f, 0.05f, 0.9f, 0.1f, 0.4f, 0.9f, COCO_PERSON },
        { 50.0, 56.0, 0.05f, 0.9f, 0.95f, 0.9f, 0.1f, 0.4f, 0.9f, COCO_PERSON },
    };
    evlog log = { 0 };

    run(ev, 0.0, 65.0, p, 3, &log);
    CHECK(log.starts == 2 && log.ends == 2);
    REQUIRE(log.n == 4);
    CHECK(log.e[0].start_us == SEC(11.0) && log.e[2].start_us == SEC(51.0));
    CHECK(log.e[0].track_id == 1 && log.e[2].track_id == 3); /* 2 was the suppressed one */
    porch_events_free(ev);
}

/* Two people crossing each other keep distinct ids, and each alerts
 * (without a cooldown; with one, the second would be folded into the first). */
static void test_two_people(void)
{
    porch_events_config cfg;
    porch_events_config_default(&cfg);
    cfg.rules[0].cooldown_seconds = 0.0f;
    porch_events *ev = make(&cfg);
    obj p[2] = {
        { 10.0, 16.0, 0.1f, 0.9f, 0.9f, 0.9f, 0.1f, 0.4f, 0.9f, COCO_PERSON },
        { 10.0, 16.0, 0.9f, 0.85f, 0.1f, 0.85f, 0.1f, 0.4f, 0.8f, COCO_PERSON },
    };
    evlog log = { 0 };

    run(ev, 0.0, 15.0, p, 2, &log);
    porch_track tr[4];
    size_t nt = 0;
    CHECK_OK(porch_events_tracks(ev, tr, 4, &nt));
    REQUIRE(nt == 2);
    CHECK(tr[0].id == 1 && tr[1].id == 2);
    /* Track 1 started on the left moving right: still the right person after crossing. */
    CHECK(tr[0].x0 > 0.5f && tr[1].x0 < 0.5f);
    CHECK(tr[0].hits == 51 && tr[1].hits == 51);
    CHECK(log.starts == 2);
    REQUIRE(log.n == 2);
    CHECK(log.e[0].track_id != log.e[1].track_id);
    CHECK(log.e[0].event_id < log.e[1].event_id);
    porch_events_free(ev);
}

/* A dog outside every zone fires nothing when the rule requires the porch. */
static void test_animal_outside_zone(void)
{
    porch_events_config cfg;
    porch_events_config_default(&cfg);
    add_porch(&cfg);
    cfg.rules[0].zone = 0;
    porch_events *ev = make(&cfg);
    obj dog = { 10.0, 20.0, 0.05f, 0.45f, 0.95f, 0.45f, 0.08f, 0.08f, 0.9f, COCO_DOG };
    evlog log = { 0 };

    run(ev, 0.0, 30.0, &dog, 1, &log);
    flush(ev, &log);
    CHECK(log.n == 0);
    porch_events_free(ev);
}

/* Classes outside the map never become tracks or events. */
static void test_ignored_class(void)
{
    porch_events_config cfg;
    porch_events_config_default(&cfg);
    porch_events *ev = make(&cfg);
    obj chair = { 6.0, 20.0, 0.1f, 0.9f, 0.9f, 0.9f, 0.1f, 0.2f, 0.99f, COCO_CHAIR };
    evlog log = { 0 };

    run(ev, 0.0, 20.0, &chair, 1, &log);
    porch_track tr[1];
    size_t nt = 1;
    CHECK_OK(porch_events_tracks(ev, tr, 1, &nt));
    CHECK(nt == 0 && log.n == 0);
    porch_events_free(ev);
}

/* 100 people per frame: the 64 best are considered, the 32 best tracked,
 * whatever order the detector listed them in. */
static void fill_crowd(porch_detection *d, int reverse)
{
    for (int k = 0; k < 100; k++) {
        int i = reverse ? 99 - k : k;
        float x = 0.01f * (float)(i % 10) * 10.0f, y = 0.1f * (float)(i / 10);
        /* Scores are a permutation of 0.30..0.795 with two equal pairs. */
        int rank = (i * 37) % 100;
        float score = 0.3f + 0.005f * (float)(rank == 99 ? 98 : rank);
        d[k] = (porch_detection){ x, y, x + 0.05f, y + 0.05f, score, COCO_PERSON };
    }
}

static void test_caps(void)
{
    porch_events_config cfg;
    porch_events_config_default(&cfg);
    static porch_detection d[100];
    porch_track a[PORCH_EVENTS_MAX_TRACKS + 1], b[PORCH_EVENTS_MAX_TRACKS + 1];
    size_t na = 0, nb = 0, nout = 0;

    for (int pass = 0; pass < 2; pass++) {
        porch_events *ev = make(&cfg);
        fill_crowd(d, pass);
        CHECK_OK(porch_events_update(ev, 0, d, 100, outbuf, PORCH_EVENTS_MAX_OUT, &nout));
        CHECK_OK(porch_events_tracks(ev, pass ? b : a, PORCH_EVENTS_MAX_TRACKS + 1,
                                     pass ? &nb : &na));
        porch_events_free(ev);
    }
    CHECK(na == PORCH_EVENTS_MAX_TRACKS && nb == na);
    for (size_t k = 0; k < na; k++) {
        /* The 32 best scores are ranks 67..98 (the tie at 98 included). */
        CHECK(a[k].score >= 0.3f + 0.005f * 67.0f - 1e-6f);
        int found = 0; /* the same set of boxes (ids may differ where scores tie) */
        for (size_t j = 0; j < nb; j++)
            found += a[k].score == b[j].score && a[k].x0 == b[j].x0 && a[k].y0 == b[j].y0;
        CHECK(found == 1);
    }

    /* Equal scores at the cut: the lower index wins. */
    porch_events *ev = make(&cfg);
    for (int k = 0; k < 40; k++)
        d[k] = (porch_detection){ 0.02f * (float)k, 0.5f, 0.02f * (float)k + 0.01f, 0.6f, 0.7f,
                                  COCO_PERSON };
    CHECK_OK(porch_events_update(ev, 0, d, 40, outbuf, PORCH_EVENTS_MAX_OUT, &nout));
    CHECK_OK(porch_events_tracks(ev, a, PORCH_EVENTS_MAX_TRACKS + 1, &na));
    CHECK(na == PORCH_EVENTS_MAX_TRACKS);
    for (size_t k = 0; k < na; k++)
        CHECK(a[k].id == k + 1 && fabsf(a[k].x0 - 0.02f * (float)k) < 1e-6f);
    /* A short listing keeps the oldest tracks. */
    CHECK_OK(porch_events_tracks(ev, a, 3, &na));
    CHECK(na == 3 && a[0].id == 1 && a[1].id == 2 && a[2].id == 3);
    porch_events_free(ev);
}

/* Rules are checked in order; a low score never starts a run; flush ends
 * what is open at last sighting + post-roll. */
static void test_rules_and_flush(void)
{
    porch_events_config cfg;
    porch_events_config_default(&cfg);
    add_porch(&cfg);
    cfg.nrules = 2;
    cfg.rules[0] = (porch_events_rule){ PORCH_EVENTS_CLASS_BIT(PORCH_CLASS_PERSON), 0, 0.5f,
                                        1.0f, 0.0f };
    cfg.rules[1] = (porch_events_rule){ PORCH_EVENTS_CLASSES_ALL, PORCH_EVENTS_ZONE_ANY, 0.6f,
                                        3.0f, 0.0f };
    /* Outside the porch (bottom edge at y = 0.3), walking slowly. */
    obj a = { 10.0, 20.0, 0.1f, 0.3f, 0.4f, 0.3f, 0.1f, 0.2f, 0.9f, COCO_PERSON };
    evlog log = { 0 };
    porch_events *ev = make(&cfg);

    run(ev, 0.0, 20.0, &a, 1, &log);
    REQUIRE(log.n == 1);
    CHECK(log.e[0].rule == 1 && log.e[0].zone == PORCH_EVENTS_ZONE_ANY);
    CHECK(log.e[0].start_us == SEC(13.0));
    CHECK(strcmp(log.e[0].reason, "person in view for 3.0 s (score 0.90, track 1)") == 0);
    flush(ev, &log);
    REQUIRE(log.n == 2);
    CHECK(log.e[1].kind == PORCH_EVENT_END && log.e[1].end_us == SEC(25.0));
    porch_track tr[1];
    size_t nt = 1;
    CHECK_OK(porch_events_tracks(ev, tr, 1, &nt));
    CHECK(nt == 0);
    porch_events_free(ev);

    /* The same walk at score 0.55: below rule 1's 0.6, outside rule 0's zone. */
    a.score = 0.55f;
    memset(&log, 0, sizeof(log));
    ev = make(&cfg);
    run(ev, 0.0, 30.0, &a, 1, &log);
    flush(ev, &log);
    CHECK(log.n == 0);
    porch_events_free(ev);
}

/* A few missed frames keep the track; its hits count only the frames seen. */
static void test_short_gap(void)
{
    porch_events_config cfg;
    porch_events_config_default(&cfg);
    porch_events *ev = make(&cfg);
    obj p[2] = {
        { 10.0, 12.0, 0.1f, 0.9f, 0.3f, 0.9f, 0.1f, 0.4f, 0.9f, COCO_PERSON },
        { 12.4, 14.0, 0.34f, 0.9f, 0.5f, 0.9f, 0.1f, 0.4f, 0.9f, COCO_PERSON },
    };
    evlog log = { 0 };

    run(ev, 0.0, 14.0, p, 2, &log);
    porch_track tr[2];
    size_t nt = 0;
    CHECK_OK(porch_events_tracks(ev, tr, 2, &nt));
    REQUIRE(nt == 1);
    CHECK(tr[0].id == 1 && tr[0].hits == 21 + 17 && tr[0].misses == 0);
    CHECK(fabsf(tr[0].displacement - 0.4f) < 1e-4f && !tr[0].stationary);
    CHECK(log.starts == 1 && tr[0].event_id == log.e[0].event_id);
    porch_events_free(ev);
}

/* Random crowds: every END closes an open START, ids only grow, no track
 * above the cap, and flush closes everything (a cheap in-tree fuzz). */
static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static float unit(uint32_t *s)
{
    return (float)(lcg(s) & 0xffff) / 65535.0f;
}

static void check_pairing(uint8_t *state, size_t nstate, uint32_t *last_start, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        uint32_t id = outbuf[k].event_id;
        REQUIRE(id > 0 && id < nstate);
        if (outbuf[k].kind == PORCH_EVENT_START) {
            CHECK(state[id] == 0 && id > *last_start);
            *last_start = id;
            state[id] = 1;
        } else {
            CHECK(state[id] == 1 && outbuf[k].end_us >= outbuf[k].start_us);
            state[id] = 2;
        }
    }
}

static void test_random(void)
{
    static uint8_t state[20000];
    static porch_detection d[80];
    porch_events_config cfg;
    porch_events_config_default(&cfg);
    add_porch(&cfg);
    cfg.nrules = 2;
    cfg.rules[1] = cfg.rules[0];
    cfg.rules[1].zone = 0;
    cfg.rules[0].cooldown_seconds = 0.5f;
    porch_events *ev = make(&cfg);
    uint32_t seed = 12345, last_start = 0;
    size_t nout = 0;

    for (int f = 0; f < 3000; f++) {
        size_t n = lcg(&seed) % 80;
        for (size_t k = 0; k < n; k++) {
            float x = unit(&seed), y = unit(&seed), w = 0.2f * unit(&seed), h = 0.3f * unit(&seed);
            d[k] = (porch_detection){ x - w, y - h, x + w, y + h, unit(&seed),
                                      (int)(lcg(&seed) % 24) };
        }
        CHECK_OK(porch_events_update(ev, (int64_t)f * 50000, d, n, outbuf, PORCH_EVENTS_MAX_OUT,
                                     &nout));
        check_pairing(state, sizeof(state), &last_start, nout);
        porch_track tr[PORCH_EVENTS_MAX_TRACKS + 1];
        size_t nt = 0;
        CHECK_OK(porch_events_tracks(ev, tr, PORCH_EVENTS_MAX_TRACKS + 1, &nt));
        CHECK(nt <= PORCH_EVENTS_MAX_TRACKS);
    }
    CHECK_OK(porch_events_flush(ev, outbuf, PORCH_EVENTS_MAX_OUT, &nout));
    check_pairing(state, sizeof(state), &last_start, nout);
    CHECK(last_start > 0);
    for (uint32_t id = 1; id <= last_start; id++)
        CHECK(state[id] == 2);
    porch_events_free(ev);
}

static void test_invalid(void)
{
    porch_events_config good, cfg;
    porch_events *ev = (porch_events *)&good;
    porch_events_config_default(&good);
    add_porch(&good);

    CHECK_ERR(porch_events_new(&ev, NULL), PORCH_ERR_INVALID_ARG);
    CHECK(ev == NULL);
    CHECK_ERR(porch_events_new(NULL, &good), PORCH_ERR_INVALID_ARG);
#define BAD(stmt, err)                                                        \
    do {                                                                      \
        cfg = good;                                                           \
        stmt;                                                                 \
        CHECK_ERR(porch_events_new(&ev, &cfg), err);                          \
        CHECK(ev == NULL);                                                    \
    } while (0)
    BAD(cfg.nrules = 0, PORCH_ERR_INVALID_ARG);
    BAD(cfg.nrules = PORCH_EVENTS_MAX_RULES + 1, PORCH_ERR_TOO_LARGE);
    BAD(cfg.nzones = PORCH_EVENTS_MAX_ZONES + 1, PORCH_ERR_TOO_LARGE);
    BAD(cfg.nzones = -1, PORCH_ERR_INVALID_ARG);
    BAD(cfg.rules[0].classes = 0, PORCH_ERR_INVALID_ARG);
    BAD(cfg.rules[0].classes = PORCH_EVENTS_CLASS_BIT(PORCH_CLASS_FACE), PORCH_ERR_INVALID_ARG);
    BAD(cfg.rules[0].zone = 1, PORCH_ERR_INVALID_ARG);
    BAD(cfg.rules[0].zone = -2, PORCH_ERR_INVALID_ARG);
    BAD(cfg.rules[0].min_score = NAN, PORCH_ERR_INVALID_ARG);
    BAD(cfg.rules[0].min_score = 1.5f, PORCH_ERR_INVALID_ARG);
    BAD(cfg.rules[0].min_seconds = -1.0f, PORCH_ERR_INVALID_ARG);
    BAD(cfg.rules[0].cooldown_seconds = INFINITY, PORCH_ERR_INVALID_ARG);
    BAD(cfg.zones[0].poly.nvertices = 2, PORCH_ERR_INVALID_ARG);
    BAD(cfg.zones[0].poly.v[1].x = 1.5f, PORCH_ERR_INVALID_ARG);
    BAD(memset(cfg.zones[0].name, 'a', sizeof(cfg.zones[0].name)), PORCH_ERR_INVALID_ARG);
    BAD(strcpy(cfg.zones[0].name, "porch\nforged"), PORCH_ERR_INVALID_ARG);
    BAD(cfg.parked_memory_seconds = -1.0f, PORCH_ERR_INVALID_ARG);
    BAD(cfg.stationary_size = -0.1f, PORCH_ERR_INVALID_ARG);
    BAD(cfg.stationary_size = NAN, PORCH_ERR_INVALID_ARG);
    BAD(cfg.max_misses = 0, PORCH_ERR_INVALID_ARG);
    BAD(cfg.iou_min = 0.0f, PORCH_ERR_INVALID_ARG);
    BAD(cfg.match_dist = 2.0f, PORCH_ERR_INVALID_ARG);
    BAD(cfg.stationary_seconds = 0.0f, PORCH_ERR_INVALID_ARG);
    BAD(cfg.post_roll_seconds = -0.5f, PORCH_ERR_INVALID_ARG);
#undef BAD

    /* Bad frames are rejected without changing anything. */
    ev = make(&good);
    porch_detection d = { 0.1f, 0.1f, 0.2f, 0.2f, 0.9f, COCO_PERSON };
    size_t nout = 7;
    CHECK_OK(porch_events_update(ev, SEC(1.0), &d, 1, outbuf, PORCH_EVENTS_MAX_OUT, &nout));
    CHECK_ERR(porch_events_update(ev, SEC(0.5), &d, 1, outbuf, PORCH_EVENTS_MAX_OUT, &nout),
              PORCH_ERR_INVALID_ARG);
    CHECK(nout == 0);
    CHECK_ERR(porch_events_update(ev, SEC(2.0), &d, 1, outbuf, 4, &nout), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_events_update(ev, INT64_MAX, &d, 1, outbuf, PORCH_EVENTS_MAX_OUT, &nout),
              PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_events_update(ev, SEC(2.0), NULL, 1, outbuf, PORCH_EVENTS_MAX_OUT, &nout),
              PORCH_ERR_INVALID_ARG);
    porch_detection bad[2] = { d, d };
    bad[1].x0 = NAN;
    CHECK_ERR(porch_events_update(ev, SEC(2.0), bad, 2, outbuf, PORCH_EVENTS_MAX_OUT, &nout),
              PORCH_ERR_INVALID_ARG);
    bad[1] = d;
    bad[1].x1 = 0.0f; /* inverted */
    CHECK_ERR(porch_events_update(ev, SEC(2.0), bad, 2, outbuf, PORCH_EVENTS_MAX_OUT, &nout),
              PORCH_ERR_INVALID_ARG);
    bad[1] = d;
    bad[1].score = 1.1f;
    CHECK_ERR(porch_events_update(ev, SEC(2.0), bad, 2, outbuf, PORCH_EVENTS_MAX_OUT, &nout),
              PORCH_ERR_INVALID_ARG);
    porch_track tr[2];
    size_t nt = 0;
    CHECK_OK(porch_events_tracks(ev, tr, 2, &nt));
    CHECK(nt == 1 && tr[0].hits == 1);
    CHECK_ERR(porch_events_tracks(NULL, tr, 2, &nt), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_events_flush(ev, outbuf, 1, &nout), PORCH_ERR_INVALID_ARG);
    porch_events_free(ev);
    porch_events_free(NULL);
}

int main(void)
{
    test_class_map();
    test_person_crosses_zone();
    test_one_frame_false_positive();
    test_min_hits();
    test_parked_from_start();
    test_parked_dropout();
    test_car_parks_then_leaves();
    test_brief_stop();
    test_static_born();
    test_jitter_big_box();
    test_departure_rules();
    test_suppressed_lost_remembered();
    test_startup_moving();
    test_cooldown();
    test_two_people();
    test_animal_outside_zone();
    test_ignored_class();
    test_caps();
    test_rules_and_flush();
    test_short_gap();
    test_random();
    test_invalid();
    return CHECK_DONE();
}
