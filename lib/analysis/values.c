/*
 * values.c: parsers of analysis setting values (numbers, polygons, zones,
 * alert rules). Values come from configuration files, so every parser is
 * bounded by the value's NUL and by the caps of the structures it fills,
 * and rejects trailing garbage.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/clip_meta.h"
#include "porchlight/error.h"
#include "analysis/analysis_internal.h"

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static const char *skip_blanks(const char *s)
{
    while (is_blank(*s))
        s++;
    return s;
}

/* Reads a finite float at *s, advancing *s past it. */
static int read_float(const char **s, float *out)
{
    char *end = NULL;
    float v;

    if (**s == '\0' || is_blank(**s))
        return PORCH_ERR_ANALYSIS_VALUE;
    errno = 0;
    v = strtof(*s, &end);
    if (end == *s || errno != 0 || !isfinite(v))
        return PORCH_ERR_ANALYSIS_VALUE;
    *s = end;
    *out = v;
    return PORCH_OK;
}

int porch__an_float(const char *s, float *out)
{
    float v;

    if (read_float(&s, &v) != PORCH_OK || *s != '\0')
        return PORCH_ERR_ANALYSIS_VALUE;
    *out = v;
    return PORCH_OK;
}

int porch__an_long(const char *s, long *out)
{
    char *end = NULL;
    long v;

    if (*s == '\0' || is_blank(*s))
        return PORCH_ERR_ANALYSIS_VALUE;
    errno = 0;
    v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0)
        return PORCH_ERR_ANALYSIS_VALUE;
    *out = v;
    return PORCH_OK;
}

/* One "x,y" vertex within [0,1]^2. */
static int read_point(const char **s, porch_motion_point *p)
{
    if (read_float(s, &p->x) != PORCH_OK || **s != ',')
        return PORCH_ERR_ANALYSIS_VALUE;
    (*s)++;
    if (read_float(s, &p->y) != PORCH_OK)
        return PORCH_ERR_ANALYSIS_VALUE;
    if (!(p->x >= 0.0f && p->x <= 1.0f && p->y >= 0.0f && p->y <= 1.0f))
        return PORCH_ERR_ANALYSIS_VALUE;
    return PORCH_OK;
}

int porch__an_polygon(const char *s, porch_motion_polygon *out)
{
    porch_motion_polygon p;

    memset(&p, 0, sizeof(p));
    s = skip_blanks(s);
    while (*s != '\0') {
        if (p.nvertices >= PORCH_MOTION_MAX_VERTICES)
            return PORCH_ERR_TOO_LARGE;
        if (read_point(&s, &p.v[p.nvertices]) != PORCH_OK)
            return PORCH_ERR_ANALYSIS_VALUE;
        p.nvertices++;
        if (*s != '\0' && !is_blank(*s))
            return PORCH_ERR_ANALYSIS_VALUE;
        s = skip_blanks(s);
    }
    if (p.nvertices < 3)
        return PORCH_ERR_ANALYSIS_VALUE;
    *out = p;
    return PORCH_OK;
}

/* Zone names appear in reasons, notices and logs: printable ASCII but
 * blanks, ':' and '=' (the syntax's own characters), 1..31 bytes. */
static int name_char(char c)
{
    return c > 0x20 && c < 0x7f && c != ':' && c != '=' && c != ',';
}

/* Copies the name at *s (up to a non-name character) into out. */
static int read_name(const char **s, char out[PORCH_EVENTS_ZONE_NAME])
{
    size_t n = 0;

    while (name_char((*s)[n]))
        if (++n >= PORCH_EVENTS_ZONE_NAME)
            return PORCH_ERR_ANALYSIS_VALUE;
    if (n == 0)
        return PORCH_ERR_ANALYSIS_VALUE;
    memcpy(out, *s, n);
    out[n] = '\0';
    *s += n;
    return PORCH_OK;
}

int porch__an_zone(const char *s, porch_events_zone *out)
{
    porch_events_zone z;
    int err;

    memset(&z, 0, sizeof(z));
    if (read_name(&s, z.name) != PORCH_OK)
        return PORCH_ERR_ANALYSIS_VALUE;
    s = skip_blanks(s);
    if (*s != ':')
        return PORCH_ERR_ANALYSIS_VALUE;
    err = porch__an_polygon(s + 1, &z.poly);
    if (err != PORCH_OK)
        return err;
    *out = z;
    return PORCH_OK;
}

static unsigned class_bit(const char *s, size_t n)
{
    static const struct { const char *name; unsigned bits; } names[] = {
        { "person", PORCH_EVENTS_CLASS_BIT(PORCH_CLASS_PERSON) },
        { "vehicle", PORCH_EVENTS_CLASS_BIT(PORCH_CLASS_VEHICLE) },
        { "animal", PORCH_EVENTS_CLASS_BIT(PORCH_CLASS_ANIMAL) },
        { "all", PORCH_EVENTS_CLASSES_ALL },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == n && memcmp(names[i].name, s, n) == 0)
            return names[i].bits;
    return 0;
}

/* "person,vehicle": a comma-separated list without blanks. */
static int read_classes(const char **s, unsigned *out)
{
    unsigned bits = 0;

    for (;;) {
        size_t n = strcspn(*s, ", \t");
        unsigned b = class_bit(*s, n);
        if (b == 0)
            return PORCH_ERR_ANALYSIS_VALUE;
        bits |= b;
        *s += n;
        if (**s != ',')
            break;
        (*s)++;
    }
    *out = bits;
    return PORCH_OK;
}

/* One "key=value" option of a rule. */
static int read_option(const char **s, porch_analysis_rule *r)
{
    static const struct { const char *key; size_t off; float hi; } opts[] = {
        { "score=", offsetof(porch_analysis_rule, min_score), 1.0f },
        { "for=", offsetof(porch_analysis_rule, min_seconds), 3600.0f },
        { "cooldown=", offsetof(porch_analysis_rule, cooldown_seconds), 86400.0f },
    };
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        size_t n = strlen(opts[i].key);
        float v;
        if (strncmp(*s, opts[i].key, n) != 0)
            continue;
        *s += n;
        if (read_float(s, &v) != PORCH_OK || !(v >= 0.0f && v <= opts[i].hi))
            return PORCH_ERR_ANALYSIS_VALUE;
        memcpy((char *)r + opts[i].off, &v, sizeof(v));
        return PORCH_OK;
    }
    return PORCH_ERR_ANALYSIS_VALUE;
}

int porch__an_rule(const char *s, porch_analysis_rule *out)
{
    porch_analysis_rule r;

    memset(&r, 0, sizeof(r));
    r.min_score = r.min_seconds = r.cooldown_seconds = -1.0f;
    if (read_classes(&s, &r.classes) != PORCH_OK)
        return PORCH_ERR_ANALYSIS_VALUE;
    for (s = skip_blanks(s); *s != '\0'; s = skip_blanks(s)) {
        int err;
        if (strncmp(s, "in", 2) == 0 && is_blank(s[2])) {
            if (r.zone[0] != '\0')
                return PORCH_ERR_ANALYSIS_VALUE;
            s = skip_blanks(s + 2);
            err = read_name(&s, r.zone);
        } else {
            err = read_option(&s, &r);
        }
        if (err != PORCH_OK || (*s != '\0' && !is_blank(*s)))
            return PORCH_ERR_ANALYSIS_VALUE;
    }
    *out = r;
    return PORCH_OK;
}
