/*
 * clipwalk.c: checking and opening a sealed clip, shared by `open` and `verify`.
 *
 * Order of checks, cheapest and least trusting first: header signature
 * (by the hub key the header names), the header against the verified roster
 * as of the state it cites (hub allowed for the camera, wraps exactly the
 * allowed viewers), record framing (order, gaps, one final record). Only
 * then is a content key unwrapped and each record decrypted.
 *
 * Record kinds (what the writer in `porch seal` and the hub produce):
 *   record 0             INIT (ftyp + moov)
 *   records 1..n-2       MEDIA (moof + mdat), or META mid-clip (thumbnail)
 *   record n-1 (final)   META: the clip's metadata
 * The walk enforces that INIT comes first and only once, since a player fed
 * anything else would fail far from the cause.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"

#include "common.h"

void cli_clip_free(struct cli_clip *c)
{
    free(c->bytes);
    c->bytes = NULL;
    c->len = 0;
}

int cli_clip_load(struct cli_clip *c, const char *path, const porch_roster *r)
{
    uint32_t bad = 0;
    int ret, rc;

    memset(c, 0, sizeof *c);
    c->path = path;
    if ((rc = cli_read(path, CLI_CLIP_MAX, "sealed clip", &c->bytes, &c->len)) != PORCH_EXIT_OK)
        return rc;
    if ((ret = porch_clip_header_parse(&c->info, c->bytes, c->len)) != PORCH_OK)
        return cli_fail(ret, path, "clip header");
    if ((ret = porch_clip_header_check_roster(c->bytes, c->len, r)) != PORCH_OK)
        return cli_fail(ret, path, "clip header (camera '%s', roster entry %" PRIu64 ")",
                        c->info.camera, c->info.roster.seq);
    ret = porch_clip_check_framing(c->bytes, c->len, &c->n_records, &bad);
    if (ret != PORCH_OK)
        return cli_fail(ret, path, "record %" PRIu32, bad);
    return PORCH_EXIT_OK;
}

/* What went wrong inside the walk callback, for the report. */
struct walk_ctx {
    struct cli_walk *w;
    const char *problem;    /* static text, or NULL: the code says it all */
    uint32_t index;
};

static int walk_meta(struct walk_ctx *x, const uint8_t *p, size_t len)
{
    porch_clip_meta *m = NULL;
    int ret = porch_meta_decode(&m, p, len);

    if (ret != PORCH_OK) {
        x->problem = "metadata";
        return ret;
    }
    porch_meta_free(x->w->meta);
    x->w->meta = m;
    return PORCH_OK;
}

static int walk_media(struct walk_ctx *x, const porch_record_info *info, const uint8_t *p,
                      size_t len)
{
    struct cli_walk *w = x->w;
    int is_init = info->kind == PORCH_RECORD_INIT;

    if (is_init != (info->index == 0)) {
        x->problem = is_init ? "INIT record after the first record"
                             : "first record is not the INIT record";
        return PORCH_ERR_MALFORMED;
    }
    if (!is_init)
        w->media++;
    w->plain_bytes += len;
    if (w->out && cli_out_write(w->out, p, len) != PORCH_OK) {
        x->problem = "cannot write the output";
        return PORCH_ERR_IO;
    }
    return PORCH_OK;
}

static int walk_record(void *ctx, const porch_record_info *info, const uint8_t *p, size_t len)
{
    struct walk_ctx *x = ctx;

    x->index = info->index;
    x->w->records++;
    if (info->kind == PORCH_RECORD_META)
        return info->index == 0 ? (x->problem = "first record is not the INIT record",
                                   PORCH_ERR_MALFORMED)
                                : walk_meta(x, p, len);
    return walk_media(x, info, p, len);
}

static int walk_fail(const struct cli_clip *c, const struct walk_ctx *x, int ret, uint32_t bad)
{
    if (ret == PORCH_ERR_IO && x->w->out)
        return cli_fail(ret, x->w->out->path, "cannot write");
    if (x->problem)
        return cli_fail(ret, c->path, "record %" PRIu32 ": %s", x->index, x->problem);
    return cli_fail(ret, c->path, "record %" PRIu32, bad);
}

int cli_clip_open_key(const struct cli_clip *c, const porch_clip_key *key, struct cli_walk *w)
{
    struct walk_ctx x = {.w = w};
    uint32_t bad = 0;
    int ret = porch_clip_open_all(key, c->bytes, c->len, walk_record, &x, &bad);

    if (ret != PORCH_OK)
        return walk_fail(c, &x, ret, bad);
    if (!w->meta)
        return cli_fail(PORCH_ERR_MALFORMED, c->path, "final record: no metadata");
    return PORCH_EXIT_OK;
}

int cli_clip_open(const struct cli_clip *c, const porch_device_secret *dev, struct cli_walk *w)
{
    const porch_device_public *me = porch_device_public_of(dev);
    porch_clip_key *key = NULL;
    int ret = porch_clip_key_unwrap(&key, c->bytes, c->len, dev), rc;

    if (ret != PORCH_OK)
        return cli_fail(ret, c->path, "clip header: key wraps (device '%s')", me->name);
    rc = cli_clip_open_key(c, key, w);
    porch_clip_key_free(key);
    return rc;
}
