/*
 * notice.c: sealed notices, one-record clip containers (porchlight/notice.h).
 *
 * Reusing the clip container means a notice gets the same guarantees for
 * free: the hub signs the header, each viewer of the camera has a wrap, the
 * hub cannot read what it wrote, and the single record is final, so a notice
 * cannot be extended or cut. What is new is only the CLIP_REF item.
 */
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "porchlight/notice.h"
#include "format/clip_internal.h"

static int notice_meta(const porch_clip_meta *meta, const uint8_t ref[PORCH_CLIP_ID_BYTES],
                       uint8_t **enc, size_t *enc_len)
{
    porch_clip_meta m;

    if (meta)
        m = *meta;
    else
        memset(&m, 0, sizeof m);
    m.has_clip_ref = 1;
    memcpy(m.clip_ref, ref, PORCH_CLIP_ID_BYTES);
    return porch_meta_encode(&m, enc, enc_len);
}

int porch__notice_seal_with(uint8_t **out, size_t *out_len, const porch_device_secret *hub,
                            const porch_roster *roster, const char *camera, uint64_t time_us,
                            const uint8_t event_clip[PORCH_CLIP_ID_BYTES],
                            const porch_clip_meta *meta, const struct clip_random *rnd)
{
    porch_clip_writer *w = NULL;
    const uint8_t *hdr, *rec;
    size_t hdr_len, rec_len;
    uint8_t *enc = NULL, *buf = NULL;
    size_t enc_len = 0;
    int ret = PORCH_ERR_INVALID_ARG;

    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if (!out || !out_len || !hub || !roster || !camera || !event_clip)
        goto out;
    if ((ret = notice_meta(meta, event_clip, &enc, &enc_len)) != PORCH_OK ||
        (ret = rnd ? porch__clip_writer_new_with(&w, hub, roster, camera, time_us, rnd)
             : porch_clip_writer_new(&w, hub, roster, camera, time_us)) != PORCH_OK ||
        (ret = porch_clip_writer_header(w, &hdr, &hdr_len)) != PORCH_OK)
        goto out;
    /* The record pointer is valid only until the next call on w; copy the header now. */
    ret = PORCH_ERR_NOMEM;
    if (!(buf = malloc(hdr_len)))
        goto out;
    memcpy(buf, hdr, hdr_len);
    if ((ret = porch_clip_writer_finish(w, enc, enc_len, &rec, &rec_len)) != PORCH_OK)
        goto out;
    ret = PORCH_ERR_TOO_LARGE;
    if (hdr_len + rec_len > PORCH_NOTICE_MAX_BYTES)
        goto out;
    ret = PORCH_ERR_NOMEM;
    uint8_t *grown = realloc(buf, hdr_len + rec_len);
    if (!grown)
        goto out;
    buf = grown;
    memcpy(buf + hdr_len, rec, rec_len);
    *out = buf;
    *out_len = hdr_len + rec_len;
    buf = NULL;
    ret = PORCH_OK;
out:
    porch_clip_writer_free(w);
    free(enc);
    free(buf);
    return ret;
}

int porch_notice_seal(uint8_t **out, size_t *out_len, const porch_device_secret *hub,
                      const porch_roster *roster, const char *camera, uint64_t time_us,
                      const uint8_t event_clip[PORCH_CLIP_ID_BYTES],
                      const porch_clip_meta *meta)
{
    return porch__notice_seal_with(out, out_len, hub, roster, camera, time_us, event_clip, meta,
                                   NULL);
}

struct notice_walk {
    porch_clip_meta *meta;
    int records;
};

static int take_record(void *ctx, const porch_record_info *ri, const uint8_t *payload,
                       size_t len)
{
    struct notice_walk *nw = ctx;
    /* open_all enforces one final META record at the end; a notice has no other. */
    if (nw->records++ || !ri->final || ri->kind != PORCH_RECORD_META)
        return PORCH_ERR_MALFORMED;
    return porch_meta_decode(&nw->meta, payload, len);
}

int porch_notice_open(porch_clip_meta **meta, porch_clip_info *info, const uint8_t *notice,
                      size_t len, const porch_device_secret *viewer, const porch_roster *roster)
{
    struct notice_walk nw = {NULL, 0};
    porch_clip_info hi;
    porch_clip_key *key = NULL;
    int ret = PORCH_ERR_INVALID_ARG;

    if (meta)
        *meta = NULL;
    if (info)
        memset(info, 0, sizeof *info);
    if (!meta || !notice || !viewer)
        goto out;
    ret = PORCH_ERR_TOO_LARGE;
    if (len > PORCH_NOTICE_MAX_BYTES)
        goto out;
    if ((ret = porch_clip_header_parse(&hi, notice, len)) != PORCH_OK ||
        (roster && (ret = porch_clip_header_check_roster(notice, len, roster)) != PORCH_OK) ||
        (ret = porch_clip_key_unwrap(&key, notice, len, viewer)) != PORCH_OK ||
        (ret = porch_clip_open_all(key, notice, len, take_record, &nw, NULL)) != PORCH_OK)
        goto out;
    ret = PORCH_ERR_MALFORMED;
    if (nw.records != 1 || !nw.meta || !nw.meta->has_clip_ref)
        goto out;
    *meta = nw.meta;
    nw.meta = NULL;
    if (info)
        *info = hi;
    ret = PORCH_OK;
out:
    porch_meta_free(nw.meta);
    porch_clip_key_free(key);
    return ret;
}
