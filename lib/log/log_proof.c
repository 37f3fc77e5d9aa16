/*
 * log_proof.c: serialised proofs (docs/LOG.md, "Proofs"). These bytes come
 * from the server, so decoding is a parser of untrusted input: a 19-byte
 * header (version, type, two u64, hash count) and exactly count * 32 bytes,
 * with every field range-checked before use:
 *   - count <= PORCH_LOG_MAX_PROOF (the reader never sizes anything by it
 *     beyond the fixed array);
 *   - sizes < 2^48, leaf_index < tree_size, 0 < size1 < size2.
 * Whether the count fits the sizes is the verifier's job (it fails any
 * proof of the wrong length), so decoding stays a pure format check.
 */
#include <string.h>

#include "log/log_internal.h"
#include "util/bytes.h"

#define PROOF_VERSION 1u
#define PROOF_INCLUSION 1u
#define PROOF_CONSISTENCY 2u
#define PROOF_HEADER_BYTES 19u

/* The fields both proof types share; a and b are (leaf_index, tree_size)
 * or (size1, size2). */
struct raw_proof {
    uint64_t a, b;
    unsigned n;
};

static int raw_encode(unsigned type, const struct raw_proof *rp,
                      const uint8_t (*hashes)[PORCH_LOG_HASH_BYTES], uint8_t *out, size_t cap,
                      size_t *out_len)
{
    porch__wr wr;

    if (rp->n > PORCH_LOG_MAX_PROOF)
        return PORCH_ERR_INVALID_ARG;
    porch__wr_init(&wr, out, cap);
    porch__wr_u8(&wr, PROOF_VERSION);
    porch__wr_u8(&wr, (uint8_t)type);
    porch__wr_u64(&wr, rp->a);
    porch__wr_u64(&wr, rp->b);
    porch__wr_u8(&wr, (uint8_t)rp->n);
    porch__wr_bytes(&wr, hashes, (size_t)rp->n * PORCH_LOG_HASH_BYTES);
    if (wr.err != PORCH_OK)
        return wr.err;
    *out_len = wr.off;
    return PORCH_OK;
}

/* Reads the common layout and range-checks it: b < 2^48 and min_a <= a < b
 * (inclusion: min_a 0, a leaf index; consistency: min_a 1, an older size). */
static int raw_decode(unsigned type, const uint8_t *in, size_t len, struct raw_proof *rp,
                      uint8_t (*hashes)[PORCH_LOG_HASH_BYTES], uint64_t min_a)
{
    porch__rd rd;
    unsigned version, got_type;

    porch__rd_init(&rd, in, len);
    version = porch__rd_u8(&rd);
    got_type = porch__rd_u8(&rd);
    rp->a = porch__rd_u64(&rd);
    rp->b = porch__rd_u64(&rd);
    rp->n = porch__rd_u8(&rd);
    if (rd.err != PORCH_OK)
        return rd.err;
    if (version != PROOF_VERSION)
        return PORCH_ERR_BAD_VERSION;
    if (got_type != type)
        return PORCH_ERR_BAD_MAGIC;
    if (rp->n > PORCH_LOG_MAX_PROOF)
        return PORCH_ERR_TOO_LARGE;
    porch__rd_copy(&rd, hashes, (size_t)rp->n * PORCH_LOG_HASH_BYTES);
    if (rd.err != PORCH_OK)
        return rd.err;
    if (porch__rd_left(&rd))
        return PORCH_ERR_TRAILING_DATA;
    if (!porch__log_size_ok(rp->b))
        return PORCH_ERR_TOO_LARGE;
    return rp->a < min_a || rp->a >= rp->b ? PORCH_ERR_MALFORMED : PORCH_OK;
}

static int encode_args_ok(const void *p, const uint8_t *out, size_t *out_len)
{
    return p && out && out_len;
}

int porch_log_inclusion_encode(const porch_log_inclusion *p, uint8_t *out, size_t cap,
                               size_t *out_len)
{
    struct raw_proof rp;

    if (out_len)
        *out_len = 0;
    if (!encode_args_ok(p, out, out_len) || p->leaf_index >= p->tree_size ||
        !porch__log_size_ok(p->tree_size))
        return PORCH_ERR_INVALID_ARG;
    rp.a = p->leaf_index;
    rp.b = p->tree_size;
    rp.n = p->n_hashes;
    return raw_encode(PROOF_INCLUSION, &rp, p->hashes, out, cap, out_len);
}

int porch_log_inclusion_decode(porch_log_inclusion *out, const uint8_t *in, size_t len)
{
    struct raw_proof rp;
    int ret;

    if (out)
        memset(out, 0, sizeof *out);
    if (!out || (!in && len))
        return PORCH_ERR_INVALID_ARG;
    if ((ret = raw_decode(PROOF_INCLUSION, in, len, &rp, out->hashes, 0)) != PORCH_OK) {
        memset(out, 0, sizeof *out);
        return ret;
    }
    out->leaf_index = rp.a;
    out->tree_size = rp.b;
    out->n_hashes = rp.n;
    return PORCH_OK;
}

int porch_log_consistency_encode(const porch_log_consistency *p, uint8_t *out, size_t cap,
                                 size_t *out_len)
{
    struct raw_proof rp;

    if (out_len)
        *out_len = 0;
    if (!encode_args_ok(p, out, out_len) || p->size1 == 0 || p->size1 >= p->size2 ||
        !porch__log_size_ok(p->size2))
        return PORCH_ERR_INVALID_ARG;
    rp.a = p->size1;
    rp.b = p->size2;
    rp.n = p->n_hashes;
    return raw_encode(PROOF_CONSISTENCY, &rp, p->hashes, out, cap, out_len);
}

int porch_log_consistency_decode(porch_log_consistency *out, const uint8_t *in, size_t len)
{
    struct raw_proof rp;
    int ret;

    if (out)
        memset(out, 0, sizeof *out);
    if (!out || (!in && len))
        return PORCH_ERR_INVALID_ARG;
    if ((ret = raw_decode(PROOF_CONSISTENCY, in, len, &rp, out->hashes, 1)) != PORCH_OK) {
        memset(out, 0, sizeof *out);
        return ret;
    }
    out->size1 = rp.a;
    out->size2 = rp.b;
    out->n_hashes = rp.n;
    return PORCH_OK;
}
