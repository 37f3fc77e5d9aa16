/*
 * clip_writer.c: the hub's streaming clip writer.
 *
 *   porch_clip_writer_new ──► OPEN ──append()──► OPEN ──finish()──► FINISHED
 *                               │                                     ▲
 *                               └──── any error ──► FAILED            │
 *                                                   (keys wiped) ─────┘
 *
 * The content key and the ephemeral wrap secret exist only inside
 * porch_clip_writer_new(): the header is built, the record key derived, and
 * both are wiped before it returns. The record key is wiped on finish, on
 * failure and on free, after which nothing in the hub can open the clip.
 */
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "crypto/identity_internal.h"
#include "format/clip_internal.h"

enum writer_state { WRITER_OPEN, WRITER_FINISHED, WRITER_FAILED };

struct porch_clip_writer {
    enum writer_state state;
    uint8_t *record_key;        /* sodium_malloc; NULL once wiped */
    uint8_t *header;            /* malloc */
    size_t header_len;
    porch_clip_info info;
    uint32_t next_index;
    uint8_t *buf;               /* the last sealed record; grows as needed */
    size_t buf_cap;
};

static void writer_wipe_key(porch_clip_writer *w)
{
    sodium_free(w->record_key);
    w->record_key = NULL;
}

void porch_clip_writer_free(porch_clip_writer *w)
{
    if (!w)
        return;
    writer_wipe_key(w);
    free(w->header);
    free(w->buf);
    free(w);
}

static int collect_viewers(const porch_roster *roster, const porch_clip_info *info,
                           porch_device_public **viewers, size_t *n)
{
    int ret;
    *viewers = calloc(PORCH_CLIP_MAX_WRAPS, sizeof **viewers);
    if (!*viewers)
        return PORCH_ERR_NOMEM;
    ret = porch_roster_viewers_at(roster, info->roster.seq, info->camera, *viewers,
                                  PORCH_CLIP_MAX_WRAPS, n);
    if (ret == PORCH_OK && *n == 0)
        ret = PORCH_ERR_INVALID_ARG; /* nobody could ever open it */
    return ret;
}

static int writer_init_info(porch_clip_info *info, const porch_device_secret *hub,
                            const porch_roster *roster, const char *camera, uint64_t start_us,
                            const struct clip_random *rnd)
{
    memset(info, 0, sizeof *info);
    memcpy(info->household, porch_roster_household(roster), PORCH_HOUSEHOLD_ID_BYTES);
    memcpy(info->clip_id, rnd->clip_id, PORCH_CLIP_ID_BYTES);
    memcpy(info->camera, camera, strlen(camera) + 1);
    info->start_us = start_us;
    memcpy(info->hub_sign_pk, hub->pub.sign_pk, PORCH_SIGN_PK_BYTES);
    porch_roster_get_head(roster, &info->roster);
    return porch_roster_check_hub_at(roster, info->roster.seq, hub->pub.sign_pk, camera);
}

int porch__clip_writer_new_with(porch_clip_writer **out, const porch_device_secret *hub,
                                const porch_roster *roster, const char *camera,
                                uint64_t start_us, const struct clip_random *rnd)
{
    porch_clip_writer *w = NULL;
    porch_device_public *viewers = NULL;
    struct clip_header parsed;
    size_t n = 0;
    int ret = PORCH_ERR_INVALID_ARG;

    if (out)
        *out = NULL;
    if (!out || !hub || !roster || !rnd || !porch_camera_id_valid(camera))
        goto out;
    ret = PORCH_ERR_NOMEM;
    if (!(w = calloc(1, sizeof *w)) || !(w->record_key = sodium_malloc(CLIP_KEY_BYTES)))
        goto out;
    if ((ret = writer_init_info(&w->info, hub, roster, camera, start_us, rnd)) != PORCH_OK ||
        (ret = collect_viewers(roster, &w->info, &viewers, &n)) != PORCH_OK ||
        (ret = porch__clip_header_build(&w->info, rnd, viewers, n, hub, &w->header,
                                        &w->header_len)) != PORCH_OK)
        goto out;
    /* Parse what we built: fills header_len/hash exactly as a reader will. */
    if ((ret = porch__clip_header_parse(&parsed, w->header, w->header_len)) != PORCH_OK)
        goto out;
    w->info = parsed.info;
    porch__clip_record_key(w->record_key, rnd->content_key);
    w->state = WRITER_OPEN;
    *out = w;
    w = NULL;
out:
    free(viewers);
    porch_clip_writer_free(w);
    return ret;
}

int porch_clip_writer_new(porch_clip_writer **out, const porch_device_secret *hub,
                          const porch_roster *roster, const char *camera, uint64_t start_us)
{
    struct clip_random *rnd = sodium_malloc(sizeof *rnd);
    int ret;

    if (out)
        *out = NULL;
    if (!rnd)
        return PORCH_ERR_NOMEM;
    randombytes_buf(rnd, sizeof *rnd);
    ret = porch__clip_writer_new_with(out, hub, roster, camera, start_us, rnd);
    sodium_free(rnd); /* wipes the content key and the ephemeral secret */
    return ret;
}

int porch_clip_writer_header(const porch_clip_writer *w, const uint8_t **data, size_t *len)
{
    if (data)
        *data = NULL;
    if (len)
        *len = 0;
    if (!w || !data || !len)
        return PORCH_ERR_INVALID_ARG;
    *data = w->header;
    *len = w->header_len;
    return PORCH_OK;
}

void porch_clip_writer_info(const porch_clip_writer *w, porch_clip_info *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (w && out)
        *out = w->info;
}

static int ensure_buf(porch_clip_writer *w, size_t need)
{
    if (need <= w->buf_cap)
        return PORCH_OK;
    uint8_t *grown = realloc(w->buf, need);
    if (!grown)
        return PORCH_ERR_NOMEM;
    w->buf = grown;
    w->buf_cap = need;
    return PORCH_OK;
}

static int writer_seal(porch_clip_writer *w, porch_record_kind kind, const uint8_t *payload,
                       size_t len, int final, const uint8_t **record, size_t *record_len)
{
    int ret;

    *record = NULL;
    *record_len = 0;
    if (w->state != WRITER_OPEN)
        return PORCH_ERR_WRITER_STATE;
    /* Indices run below 2^20; the last one is kept for the final record, so
     * a clip that reaches the cap can always be finished. */
    if (len > PORCH_RECORD_MAX_PAYLOAD ||
        w->next_index >= PORCH_CLIP_MAX_RECORDS - (final ? 0u : 1u))
        ret = PORCH_ERR_TOO_LARGE;
    else if ((ret = ensure_buf(w, PORCH_RECORD_HEADER_BYTES + porch__record_plain_len(len) +
                                      RECORD_TAG_BYTES)) == PORCH_OK)
        ret = porch__record_seal(w->buf, w->buf_cap, record_len, w->record_key,
                                 w->info.header_hash, w->next_index, final, kind, payload, len);
    if (ret != PORCH_OK) {
        w->state = WRITER_FAILED;
        writer_wipe_key(w);
        return ret;
    }
    w->next_index++;
    *record = w->buf;
    return PORCH_OK;
}

int porch_clip_writer_append(porch_clip_writer *w, porch_record_kind kind,
                             const uint8_t *payload, size_t len,
                             const uint8_t **record, size_t *record_len)
{
    if (record)
        *record = NULL;
    if (record_len)
        *record_len = 0;
    if (!w || !record || !record_len || (len && !payload) || kind < PORCH_RECORD_INIT ||
        kind > PORCH_RECORD_META)
        return PORCH_ERR_INVALID_ARG;
    return writer_seal(w, kind, payload, len, 0, record, record_len);
}

/* Seals meta as the final META record at the next index (finish, tail). */
static int seal_final_meta(porch_clip_writer *w, const uint8_t *meta, size_t meta_len,
                           const uint8_t **record, size_t *record_len)
{
    if (record)
        *record = NULL;
    if (record_len)
        *record_len = 0;
    if (!w || !record || !record_len || (meta_len && !meta))
        return PORCH_ERR_INVALID_ARG;
    return writer_seal(w, PORCH_RECORD_META, meta, meta_len, 1, record, record_len);
}

int porch_clip_writer_finish(porch_clip_writer *w, const uint8_t *meta, size_t meta_len,
                             const uint8_t **record, size_t *record_len)
{
    int ret = seal_final_meta(w, meta, meta_len, record, record_len);

    if (ret == PORCH_OK) {
        w->state = WRITER_FINISHED;
        writer_wipe_key(w);
    }
    return ret;
}

int porch_clip_writer_seal_tail(porch_clip_writer *w, const uint8_t *meta, size_t meta_len,
                                const uint8_t **record, size_t *record_len)
{
    /* A final record at the next index, sealed now but not consumed: the
     * writer stays OPEN and the next append or finish reuses the index. */
    int ret = seal_final_meta(w, meta, meta_len, record, record_len);

    if (ret == PORCH_OK)
        w->next_index--;
    return ret;
}
