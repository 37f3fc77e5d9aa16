/*
 * analyze_json.c: the JSON lines of `porchlight-hub analyze` (docs/API.md).
 * Numbers are printed with fixed precision; strings are escaped.
 */
#include <inttypes.h>
#include <stdio.h>

#include "porchlight/nanodet.h"
#include "analyze.h"

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(f, "\\%c", *c);
        else if (*c < 0x20 || *c == 0x7f)
            fprintf(f, "\\u%04x", *c);
        else
            fputc(*c, f);
    }
    fputc('"', f);
}

static void json_zone(FILE *f, const porch_analysis *a, int zone)
{
    if (zone == PORCH_EVENTS_ZONE_ANY)
        fputs("null", f);
    else
        json_str(f, porch_analysis_zone_name(a, zone));
}

static double secs(int64_t us)
{
    return (double)us / 1e6;
}

void hub_json_event(FILE *f, const char *camera, const porch_analysis *a,
                    const hub_open_event *start, const porch_event *end, uint64_t end_frame)
{
    const porch_event *s = &start->start;
    const char *cls = porch_analysis_class_name(s->cls);

    fputs("{\"camera\":", f);
    json_str(f, camera);
    fprintf(f, ",\"event\":%" PRIu32 ",\"start\":%.3f,\"end\":%.3f", s->event_id,
            secs(s->start_us), secs(end->end_us));
    fprintf(f, ",\"start_frame\":%" PRIu64 ",\"end_frame\":%" PRIu64, start->start_frame,
            end_frame);
    fprintf(f, ",\"class\":\"%s\",\"classes\":[\"%s\"],\"max_score\":%.3f,\"zone\":", cls, cls,
            (double)end->max_score);
    json_zone(f, a, s->zone);
    fprintf(f, ",\"rule\":%d,\"track\":%" PRIu32 ",\"reason\":", s->rule, s->track_id);
    json_str(f, s->reason);
    fputs("}\n", f);
}

static void json_regions(FILE *f, const porch_motion_result *m, int gw, int gh)
{
    fputs("\"regions\":[", f);
    for (int i = 0; i < m->nregions; i++) {
        const porch_motion_region *r = &m->regions[i];
        fprintf(f, "%s{\"id\":%" PRIu32 ",\"box\":[%.4f,%.4f,%.4f,%.4f],\"area\":%d", i ? "," : "",
                r->track_id, (double)r->x / gw, (double)r->y / gh, (double)(r->x + r->w) / gw,
                (double)(r->y + r->h) / gh, r->area);
        fprintf(f, ",\"age\":%" PRIu32 ",\"vx\":%.2f,\"vy\":%.2f,\"displacement\":%.2f,"
                   "\"path\":%.2f,\"coherence\":%.3f,\"dynamic\":%.3f,\"in_zone\":%d,"
                   "\"candidate\":%d}",
                r->age, (double)r->vx, (double)r->vy, (double)r->displacement, (double)r->path,
                (double)r->coherence, (double)r->dynamic, r->in_zone, r->candidate);
    }
    fputc(']', f);
}

static void json_dets(FILE *f, const porch_analysis_result *r)
{
    fputs("\"detections\":[", f);
    for (size_t i = 0; i < r->ndets; i++) {
        const porch_detection *d = &r->dets[i];
        int cls = porch_events_class_of(d->coco);
        fprintf(f, "%s{\"coco\":\"%s\",\"class\":%s%s%s,\"score\":%.3f,"
                   "\"box\":[%.4f,%.4f,%.4f,%.4f]}",
                i ? "," : "", porch_coco_label(d->coco), cls ? "\"" : "",
                cls ? porch_analysis_class_name(cls) : "null", cls ? "\"" : "", (double)d->score,
                (double)d->x0, (double)d->y0, (double)d->x1, (double)d->y1);
    }
    fputc(']', f);
}

static void json_tracks(FILE *f, const porch_analysis_result *r)
{
    fputs("\"tracks\":[", f);
    for (size_t i = 0; i < r->ntracks; i++) {
        const porch_track *t = &r->tracks[i];
        fprintf(f, "%s{\"id\":%" PRIu32 ",\"class\":\"%s\",\"box\":[%.4f,%.4f,%.4f,%.4f],"
                   "\"score\":%.3f,\"max_score\":%.3f,\"hits\":%" PRIu32 ",\"misses\":%" PRIu32
                   ",\"stationary\":%d,\"suppressed\":%d,\"event\":%" PRIu32 "}",
                i ? "," : "", t->id, porch_analysis_class_name(t->cls), (double)t->x0,
                (double)t->y0, (double)t->x1, (double)t->y1, (double)t->score,
                (double)t->max_score, t->hits, t->misses, t->stationary, t->suppressed,
                t->event_id);
    }
    fputc(']', f);
}

static void json_events(FILE *f, const porch_analysis_result *r)
{
    fputs("\"events\":[", f);
    for (size_t i = 0; i < r->nevents; i++) {
        const porch_event *e = &r->events[i];
        fprintf(f, "%s{\"kind\":\"%s\",\"event\":%" PRIu32 ",\"track\":%" PRIu32 ",\"class\":\"%s\"}",
                i ? "," : "", e->kind == PORCH_EVENT_START ? "start" : "end", e->event_id,
                e->track_id, porch_analysis_class_name(e->cls));
    }
    fputc(']', f);
}

static const char *why_name(int why)
{
    switch (why) {
    case PORCH_ANALYSIS_WHY_MOTION:
        return "motion";
    case PORCH_ANALYSIS_WHY_MIN_RATE:
        return "min_rate";
    case PORCH_ANALYSIS_WHY_TRACKS:
        return "tracks";
    default:
        return "none";
    }
}

void hub_json_frame(FILE *f, const porch_analysis *a, const porch_analysis_result *r,
                    int grey_w, int grey_h)
{
    (void)a;
    fprintf(f, "{\"index\":%" PRIu64 ",\"time\":%.3f,\"fg\":%.4f,\"global\":%u,",
            r->frame, secs(r->pts_us), (double)r->motion.fg_fraction, r->motion.global);
    json_regions(f, &r->motion, grey_w, grey_h);
    fprintf(f, ",\"detected\":%d,\"why\":\"%s\"", r->detected, why_name(r->why));
    if (r->detected)
        fprintf(f, ",\"crop\":[%.4f,%.4f,%.4f,%.4f]", (double)r->crop_x0, (double)r->crop_y0,
                (double)r->crop_x1, (double)r->crop_y1);
    fputc(',', f);
    json_dets(f, r);
    fputc(',', f);
    json_tracks(f, r);
    fputc(',', f);
    json_events(f, r);
    fputs("}\n", f);
}
