/*
 * clip_reader.c: walks over a whole clip.
 *
 * Framing is checked before anything is decrypted, in one pass that records
 * which indices were seen, so the error says what happened to the sequence:
 *   a record after the final one          PORCH_ERR_AFTER_FINAL
 *   an index repeated, or out of order    PORCH_ERR_RECORD_ORDER
 *   an index missing                      PORCH_ERR_RECORD_MISSING
 *   no final record (cut at a boundary)   PORCH_ERR_CLIP_UNFINISHED
 *   cut inside a record                   PORCH_ERR_TRUNCATED
 */
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "format/clip_internal.h"

struct framing_scan {
    uint32_t n_records;
    uint32_t bad_index;
    int out_of_order;           /* some index != its position */
    int repeated;               /* some index seen twice */
    int after_final;            /* a record follows the final one */
    int finished;               /* the last record carries the final flag */
    uint32_t first_anomaly;     /* index of the first record that broke the sequence */
    size_t max_plain;           /* largest plain_len: the buffer open_all needs */
};

static int bit_test_set(uint8_t *bits, uint32_t i)
{
    int was = (bits[i / 8] >> (i % 8)) & 1;
    bits[i / 8] |= (uint8_t)(1u << (i % 8));
    return was;
}

static void note_anomaly(struct framing_scan *s, uint32_t index)
{
    if (!s->out_of_order && !s->repeated && !s->after_final)
        s->first_anomaly = index;
}

static int scan_records(const uint8_t *p, size_t len, uint8_t *seen, struct framing_scan *s)
{
    porch_record_info info;
    int ret;

    for (size_t off = 0; off < len; off += info.record_len) {
        if ((ret = porch_clip_record_peek(p + off, len - off, &info)) != PORCH_OK) {
            s->bad_index = s->n_records;
            return ret;
        }
        if (s->finished) {
            note_anomaly(s, info.index);
            s->after_final = 1;
        }
        if (bit_test_set(seen, info.index)) {
            note_anomaly(s, info.index);
            s->repeated = 1;
        } else if (info.index != s->n_records) {
            note_anomaly(s, info.index);
            s->out_of_order = 1;
        }
        s->finished = info.final;
        if (info.plain_len > s->max_plain)
            s->max_plain = info.plain_len;
        if (++s->n_records > PORCH_CLIP_MAX_RECORDS) {
            s->bad_index = s->n_records - 1;
            return PORCH_ERR_TOO_LARGE;
        }
    }
    return PORCH_OK;
}

/* After a scan with no framing error: classify the sequence. */
static int classify(const uint8_t *seen, struct framing_scan *s)
{
    s->bad_index = s->first_anomaly;
    if (s->after_final)
        return PORCH_ERR_AFTER_FINAL;
    if (s->repeated)
        return PORCH_ERR_RECORD_ORDER;
    for (uint32_t i = 0; i < s->n_records; i++)
        if (!((seen[i / 8] >> (i % 8)) & 1)) {
            s->bad_index = i;
            return PORCH_ERR_RECORD_MISSING;
        }
    if (s->out_of_order)
        return PORCH_ERR_RECORD_ORDER; /* a permutation of 0..n-1 */
    s->bad_index = s->n_records;
    return s->finished ? PORCH_OK : PORCH_ERR_CLIP_UNFINISHED;
}

static int scan_framing(const uint8_t *clip, size_t clip_len, struct framing_scan *s,
                        size_t *header_len)
{
    struct clip_header h;
    uint8_t *seen = NULL;
    int ret;

    memset(s, 0, sizeof *s);
    *header_len = 0;
    if ((ret = porch__clip_header_parse(&h, clip, clip_len)) != PORCH_OK)
        return ret;
    *header_len = h.info.header_len;
    if (!(seen = calloc(PORCH_CLIP_MAX_RECORDS / 8, 1)))
        return PORCH_ERR_NOMEM;
    ret = scan_records(clip + *header_len, clip_len - *header_len, seen, s);
    if (ret == PORCH_OK)
        ret = classify(seen, s);
    free(seen);
    return ret;
}

int porch_clip_check_framing(const uint8_t *clip, size_t clip_len, uint32_t *n_records,
                             uint32_t *bad_index)
{
    struct framing_scan s;
    size_t header_len;
    int ret;

    if (n_records)
        *n_records = 0;
    if (bad_index)
        *bad_index = 0;
    if (!clip)
        return PORCH_ERR_INVALID_ARG;
    ret = scan_framing(clip, clip_len, &s, &header_len);
    if (n_records)
        *n_records = s.n_records;
    if (bad_index)
        *bad_index = s.bad_index;
    return ret;
}

int porch_clip_open_all(const porch_clip_key *key, const uint8_t *clip, size_t clip_len,
                        porch_record_fn fn, void *ctx, uint32_t *bad_index)
{
    struct framing_scan s;
    porch_record_info info;
    const uint8_t *payload;
    uint8_t *plain = NULL;
    size_t header_len, payload_len, off;
    int ret;

    if (bad_index)
        *bad_index = 0;
    if (!key || !clip || !fn)
        return PORCH_ERR_INVALID_ARG;
    if ((ret = scan_framing(clip, clip_len, &s, &header_len)) != PORCH_OK) {
        if (bad_index)
            *bad_index = s.bad_index;
        return ret;
    }
    if (!(plain = malloc(s.max_plain ? s.max_plain : 1)))
        return PORCH_ERR_NOMEM;
    for (off = header_len; off < clip_len && ret == PORCH_OK; off += info.record_len) {
        ret = porch_clip_record_open(key, clip + off, clip_len - off, &info, plain,
                                     s.max_plain, &payload, &payload_len);
        if (ret == PORCH_OK && info.final && info.kind != PORCH_RECORD_META)
            ret = PORCH_ERR_MALFORMED; /* the final record carries the metadata */
        if (ret == PORCH_OK)
            ret = fn(ctx, &info, payload, payload_len);
        if (ret != PORCH_OK && bad_index)
            *bad_index = info.index;
    }
    sodium_memzero(plain, s.max_plain);
    free(plain);
    return ret;
}
