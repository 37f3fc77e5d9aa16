/*
 * cmd_seal.c: `porch seal`: a video file -> a sealed clip, as a hub would.
 *
 *   VIDEO --porch_media_remux (packets copied, never re-encoded)--> INIT,
 *   FRAGMENT, FRAGMENT ... --porch_clip_writer--> header, INIT record,
 *   MEDIA records ..., final META record (end time, reason, thumbnail)
 *
 * Records are streamed to a temporary file beside --out as they are sealed
 * and the file is renamed into place only after the final record, so a
 * failure never leaves a partial clip. Viewers are exactly those the
 * verified roster allows for --camera at its head; the hub key must be an
 * active hub for that camera, and cannot open the clip afterwards.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "porchlight/error.h"
#include "porchlight/media.h"

#include "common.h"

struct seal_args {
    struct cli_roster_args r;
    const char *in, *out, *key, *passfile, *camera, *reason, *thumb;
};

/* State shared with the remux callback. */
struct seal_ctx {
    porch_clip_writer *w;
    struct cli_out out;
    uint32_t records;
    int64_t end_rel_us;      /* end of the last fragment, from the first one's start */
    const char *failed;      /* set when the callback (not FFmpeg) failed */
};

static int seal_piece(void *ctx, porch_fmp4_part part, const uint8_t *data, size_t len,
                      const porch_fmp4_piece_info *info)
{
    struct seal_ctx *s = ctx;
    porch_record_kind kind = part == PORCH_FMP4_INIT ? PORCH_RECORD_INIT : PORCH_RECORD_MEDIA;
    const uint8_t *rec = NULL;
    size_t rec_len = 0;
    int ret = porch_clip_writer_append(s->w, kind, data, len, &rec, &rec_len);

    if (ret != PORCH_OK)
        return s->failed = "seal", ret;
    if ((ret = cli_out_write(&s->out, rec, rec_len)) != PORCH_OK)
        return s->failed = "write", ret;
    s->records++;
    if (info->start_us + info->duration_us > s->end_rel_us)
        s->end_rel_us = info->start_us + info->duration_us;
    return PORCH_OK;
}

/* Encodes the metadata and seals it as the final record. */
static int seal_finish(struct seal_ctx *s, const struct seal_args *a, const uint8_t *thumb,
                       size_t thumb_len, uint64_t start_us)
{
    porch_clip_meta meta = {0};
    uint8_t *buf = NULL;
    const uint8_t *rec = NULL;
    size_t len = 0, rec_len = 0;
    int ret;

    meta.end_us = start_us + (uint64_t)(s->end_rel_us > 0 ? s->end_rel_us : 0);
    snprintf(meta.reason, sizeof meta.reason, "%s", a->reason ? a->reason : "manual seal");
    meta.thumbnail = thumb;
    meta.thumbnail_len = thumb_len;
    if ((ret = porch_meta_encode(&meta, &buf, &len)) != PORCH_OK)
        return cli_fail(ret, a->out, "final record: metadata");
    ret = porch_clip_writer_finish(s->w, buf, len, &rec, &rec_len);
    free(buf);
    if (ret != PORCH_OK)
        return cli_fail(ret, a->out, "final record %" PRIu32, s->records);
    if ((ret = cli_out_write(&s->out, rec, rec_len)) != PORCH_OK)
        return cli_fail(ret, a->out, "cannot write");
    s->records++;
    return PORCH_EXIT_OK;
}

static int seal_remux(struct seal_ctx *s, const struct seal_args *a)
{
    const uint8_t *hdr = NULL;
    size_t hdr_len = 0;
    int ret;

    porch_clip_writer_header(s->w, &hdr, &hdr_len);
    if ((ret = cli_out_write(&s->out, hdr, hdr_len)) != PORCH_OK)
        return cli_fail(ret, a->out, "cannot write");
    ret = porch_media_remux(a->in, NULL, seal_piece, s);
    if (ret == PORCH_OK)
        return PORCH_EXIT_OK;
    if (s->failed && ret == PORCH_ERR_IO)
        return cli_fail(ret, a->out, "cannot write");
    if (s->failed)
        return cli_fail(ret, a->out, "record %" PRIu32, s->records);
    return cli_fail(ret, a->in, "video (remuxing to fragmented MP4 without re-encoding)");
}

static void seal_report(const struct seal_ctx *s, const struct seal_args *a,
                        const porch_roster *r)
{
    porch_clip_info info;
    porch_device_public viewers[PORCH_CLIP_MAX_WRAPS];
    struct stat st;
    char id[2 * PORCH_CLIP_ID_BYTES + 1], when[40];
    size_t n = 0;

    porch_clip_writer_info(s->w, &info);
    cli_hex(id, info.clip_id, sizeof info.clip_id);
    cli_time_str(when, sizeof when, info.start_us);
    printf("%s: sealed clip %s\ncamera: %s\nstart: %s\nrecords: %" PRIu32
           " (init, %" PRIu32 " media, final meta)\n", a->out, id, info.camera, when,
           s->records, s->records >= 2 ? s->records - 2 : 0);
    printf("bytes: in %lld, out %" PRIu64 "\nviewers:", stat(a->in, &st) == 0
           ? (long long)st.st_size : -1LL, s->out.bytes);
    if (porch_roster_viewers_at(r, info.roster.seq, info.camera, viewers,
                                PORCH_CLIP_MAX_WRAPS, &n) == PORCH_OK)
        for (size_t i = 0; i < n; i++)
            printf(" %s%s", viewers[i].name, i + 1 < n ? "," : "");
    printf("\n");
}

/* Everything after the inputs are loaded: writer, stream, finish, rename. */
static int seal_run(const struct seal_args *a, const porch_device_secret *hub,
                    const porch_roster *r, const uint8_t *thumb, size_t thumb_len)
{
    struct seal_ctx s = {0};
    uint64_t start_us = cli_now_us();
    int ret = porch_clip_writer_new(&s.w, hub, r, a->camera, start_us), rc;

    if (ret != PORCH_OK)
        return cli_fail(ret, a->key, "device '%s' sealing for camera '%s'",
                        porch_device_public_of(hub)->name, a->camera);
    if ((rc = cli_out_open(&s.out, a->out, 0644)) == PORCH_EXIT_OK &&
        (rc = seal_remux(&s, a)) == PORCH_EXIT_OK &&
        (rc = seal_finish(&s, a, thumb, thumb_len, start_us)) == PORCH_EXIT_OK &&
        (rc = cli_out_commit(&s.out)) == PORCH_EXIT_OK)
        seal_report(&s, a, r);
    cli_out_abort(&s.out);
    porch_clip_writer_free(s.w);
    return rc;
}

static int read_thumbnail(const char *path, uint8_t **out, size_t *len)
{
    int rc;

    *out = NULL;
    *len = 0;
    if (!path)
        return PORCH_EXIT_OK;
    rc = cli_read(path, PORCH_META_MAX_THUMBNAIL, "thumbnail", out, len);
    if (rc == PORCH_EXIT_OK && (*len < 2 || (*out)[0] != 0xff || (*out)[1] != 0xd8))
        rc = cli_failf(PORCH_EXIT_BAD, path, "thumbnail: not a JPEG (no FF D8 at the start)");
    return rc;
}

int cmd_seal(int argc, char **argv)
{
    struct seal_args a = {0};
    const struct cli_opt opts[] = {
        {"in", "VIDEO", "video file (any container/codec FFmpeg can copy into MP4)", CLI_REQ,
         &a.in, NULL},
        {"out", "CLIP", "sealed clip to write (atomically)", CLI_REQ, &a.out, NULL},
        {"key", "HUB.key", "secret key of a hub for the camera", CLI_REQ, &a.key, NULL},
        CLI_OPT_PASSFILE(&a.passfile),
        CLI_OPT_ROSTER(&a.r, CLI_REQ), CLI_OPT_PIN(&a.r), CLI_OPT_STATE(&a.r),
        {"camera", "ID", "camera id (a-z 0-9 . _ -)", CLI_REQ, &a.camera, NULL},
        {"reason", "TEXT", "why the clip was recorded (sealed inside; default 'manual seal')", 0,
         &a.reason, NULL},
        {"thumbnail", "JPEG", "a JPEG to seal with the metadata (<= 4 MiB)", 0, &a.thumb, NULL},
    };
    const struct cli_spec spec = {"seal",
        "Seal a video into a clip that only the roster's viewers for the camera can open.",
        NULL, NULL, opts, sizeof opts / sizeof opts[0],
        "The video is copied into fragmented MP4 (one fragment per GOP) without re-encoding;\n"
        "each piece becomes one encrypted record. The hub key cannot open the result."};
    porch_roster *r = NULL;
    porch_device_secret *hub = NULL;
    uint8_t *thumb = NULL;
    size_t thumb_len = 0;
    int rc = cli_parse(&spec, argc, argv);

    if (rc != CLI_CONTINUE)
        return rc;
    if (!porch_camera_id_valid(a.camera))
        return cli_usage("seal", "--camera '%s': use 1-63 of a-z 0-9 . _ -", a.camera);
    if (a.reason && strlen(a.reason) > PORCH_META_MAX_REASON)
        return cli_usage("seal", "--reason: longer than %u bytes", PORCH_META_MAX_REASON);
    if ((rc = read_thumbnail(a.thumb, &thumb, &thumb_len)) == PORCH_EXIT_OK &&
        (rc = cli_roster_load(&a.r, &r)) == PORCH_EXIT_OK &&
        (rc = cli_load_secret(a.key, a.passfile, &hub)) == PORCH_EXIT_OK)
        rc = seal_run(&a, hub, r, thumb, thumb_len);
    porch_device_free(hub);
    porch_roster_free(r);
    free(thumb);
    return rc;
}
