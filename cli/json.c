/*
 * json.c: a clip's metadata as one JSON object (RFC 8259).
 *
 * Strings come from the sealed clip, i.e. from the hub: they are escaped
 * (quote, backslash, every control character as \u00XX) and bytes that are
 * not well-formed UTF-8 become U+FFFD, so the output is always valid JSON
 * whatever the reason text holds. Numbers are unsigned integers.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"

#include "common.h"

struct jbuf {
    char *p;
    size_t len, cap;
    int err;               /* sticky: PORCH_ERR_NOMEM after a failed growth */
};

static void jb_put(struct jbuf *b, const char *s, size_t n)
{
    if (b->err)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 1024) + n;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->err = PORCH_ERR_NOMEM;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void jb_printf(struct jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void jb_printf(struct jbuf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n >= 0)
        jb_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Length of the well-formed UTF-8 sequence at s (1..4), or 0 if it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
    size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3
             : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
    uint32_t cp;

    if (n == 0 || n > left)
        return 0;
    cp = n == 1 ? s[0] : (uint32_t)(s[0] & (0x7f >> n));
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    /* Reject overlong forms, surrogates and code points beyond U+10FFFF. */
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[n] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    return n;
}

static void jb_string(struct jbuf *b, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t left = strlen(s);

    jb_put(b, "\"", 1);
    while (left > 0) {
        size_t n = utf8_seq(u, left);
        if (n == 0) {
            jb_put(b, "\\ufffd", 6);
            n = 1;
        } else if (*u == '"' || *u == '\\') {
            jb_put(b, "\\", 1);
            jb_put(b, (const char *)u, 1);
        } else if (*u < 0x20 || *u == 0x7f) {
            jb_printf(b, "\\u%04x", *u);
        } else {
            jb_put(b, (const char *)u, n);
        }
        u += n;
        left -= n;
    }
    jb_put(b, "\"", 1);
}

static void jb_hex_field(struct jbuf *b, const char *name, const uint8_t *p, size_t n)
{
    char hex[2 * 32 + 1];

    cli_hex(hex, p, n);
    jb_printf(b, "  \"%s\": \"%s\",\n", name, hex);
}

static void jb_label(struct jbuf *b, const porch_label *l, int last)
{
    jb_put(b, "    {\"class\": ", 14);
    jb_string(b, porch_class_name(l->cls));
    jb_printf(b, ", \"t_ms\": %" PRIu32 ", \"score\": %u, \"x\": %u, \"y\": %u, \"w\": %u, "
                 "\"h\": %u, \"track_id\": %" PRIu32 "}%s\n",
              l->t_ms, l->score, l->x, l->y, l->w, l->h, l->track_id, last ? "" : ",");
}

static void jb_header(struct jbuf *b, const porch_clip_info *info)
{
    char when[40];

    jb_put(b, "{\n", 2);
    jb_hex_field(b, "clip_id", info->clip_id, sizeof info->clip_id);
    jb_hex_field(b, "household", info->household, sizeof info->household);
    jb_put(b, "  \"camera\": ", 12);
    jb_string(b, info->camera);
    cli_time_str(when, sizeof when, info->start_us);
    jb_printf(b, ",\n  \"start_us\": %" PRIu64 ",\n  \"start\": \"%s\",\n", info->start_us,
              when);
    jb_hex_field(b, "hub_sign_pk", info->hub_sign_pk, sizeof info->hub_sign_pk);
    jb_printf(b, "  \"roster_seq\": %" PRIu64 ",\n", info->roster.seq);
}

int cli_meta_json(const porch_clip_info *info, const porch_clip_meta *meta, char **out,
                  size_t *out_len)
{
    struct jbuf b = {0};

    jb_header(&b, info);
    jb_printf(&b, "  \"end_us\": %" PRIu64 ",\n  \"reason\": ", meta->end_us);
    jb_string(&b, meta->reason);
    jb_printf(&b, ",\n  \"thumbnail_bytes\": %zu,\n  \"labels\": [%s", meta->thumbnail_len,
              meta->n_labels ? "\n" : "");
    for (size_t i = 0; i < meta->n_labels; i++)
        jb_label(&b, &meta->labels[i], i + 1 == meta->n_labels);
    jb_printf(&b, "%s]\n}\n", meta->n_labels ? "  " : "");
    if (b.err) {
        free(b.p);
        return b.err;
    }
    *out = b.p;
    *out_len = b.len;
    return PORCH_OK;
}
