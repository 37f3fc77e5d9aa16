/* vectors.c: see vectors.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "format/grant_internal.h"
#include "util/bytes.h"
#include "vectors.h"

static int add(struct vec *v, size_t *n, const char *name, enum vec_kind kind,
               const void *data, size_t len)
{
    if (*n >= VEC_MAX || !(v[*n].data = malloc(len ? len : 1)))
        return PORCH_ERR_NOMEM;
    memcpy(v[*n].data, data, len);
    v[*n].name = name;
    v[*n].kind = kind;
    v[*n].len = len;
    v[*n].note[0] = '\0';
    (*n)++;
    return PORCH_OK;
}

#define note(v, n, ...) snprintf((v)[(n)-1].note, sizeof (v)[(n)-1].note, __VA_ARGS__)

/* Appends "label = hex" to a text buffer. */
static void text_hex(char *buf, size_t cap, const char *label, const uint8_t *p, size_t n)
{
    size_t o = strlen(buf);
    o += (size_t)snprintf(buf + o, cap - o, "%s%-22s = ", o ? "\n" : "", label);
    for (size_t i = 0; i < n && o + 3 < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%02x", p[i]);
}

static void text_str(char *buf, size_t cap, const char *label, const char *s)
{
    size_t o = strlen(buf);
    snprintf(buf + o, cap - o, "%s%-22s = %s", o ? "\n" : "", label, s);
}

static int build_inputs(struct vec *v, size_t *n)
{
    static char t[4096];
    uint8_t b[32];
    char num[64];

    t[0] = '\0';
#define HEX(label, start, len) (fx_count(b, len, start), text_hex(t, sizeof t, label, b, len))
    HEX("owner.sign_seed", FX_OWNER_SIGN, 32);
    HEX("owner.box_sk", FX_OWNER_BOX, 32);
    text_str(t, sizeof t, "owner.name", FX_OWNER_NAME);
    HEX("member.sign_seed", FX_MEMBER_SIGN, 32);
    HEX("member.box_sk", FX_MEMBER_BOX, 32);
    text_str(t, sizeof t, "member.name", FX_MEMBER_NAME);
    HEX("hub.sign_seed", FX_HUB_SIGN, 32);
    HEX("hub.box_sk", FX_HUB_BOX, 32);
    text_str(t, sizeof t, "hub.name", FX_HUB_NAME);
    text_str(t, sizeof t, "passphrase", FX_PASSPHRASE);
    HEX("keyfile.salt", FX_SALT, 16);
    HEX("keyfile.nonce", FX_NONCE, 24);
    snprintf(num, sizeof num, "%llu", (unsigned long long)crypto_pwhash_OPSLIMIT_INTERACTIVE);
    text_str(t, sizeof t, "keyfile.opslimit", num);
    snprintf(num, sizeof num, "%llu", (unsigned long long)crypto_pwhash_MEMLIMIT_INTERACTIVE);
    text_str(t, sizeof t, "keyfile.memlimit", num);
    HEX("household", FX_HOUSEHOLD, 16);
    snprintf(num, sizeof num, "%llu", FX_T_GENESIS);
    text_str(t, sizeof t, "time.genesis", num);
    snprintf(num, sizeof num, "%llu", FX_T_ADD_MEMBER);
    text_str(t, sizeof t, "time.add_member", num);
    snprintf(num, sizeof num, "%llu", FX_T_ADD_HUB);
    text_str(t, sizeof t, "time.add_hub", num);
    text_str(t, sizeof t, "camera", FX_CAMERA);
    HEX("clip.clip_id", FX_CLIP_ID, 16);
    HEX("clip.content_key", FX_CONTENT_KEY, 32);
    HEX("clip.eph_sk", FX_EPH_SK, 32);
    snprintf(num, sizeof num, "%llu", FX_CLIP_START_US);
    text_str(t, sizeof t, "clip.start_us", num);
    text_hex(t, sizeof t, "clip.init_payload", (const uint8_t *)FX_INIT_PAYLOAD,
             FX_INIT_PAYLOAD_LEN);
    snprintf(num, sizeof num, "%llu", FX_CLIP_END_US);
    text_str(t, sizeof t, "meta.end_us", num);
    text_str(t, sizeof t, "meta.reason", FX_REASON);
    text_str(t, sizeof t, "meta.label",
             "t_ms=1500 class=2 score=58982 x=1000 y=2000 w=3000 h=4000 track=7");
    HEX("grant.grant_id", FX_GRANT_ID, 16);
    snprintf(num, sizeof num, "%llu", FX_GRANT_CREATED_US);
    text_str(t, sizeof t, "grant.created_us", num);
    snprintf(num, sizeof num, "%llu", FX_GRANT_EXPIRES_US);
    text_str(t, sizeof t, "grant.expires_us", num);
    snprintf(num, sizeof num, "[%llu, %llu)", FX_GRANT_FROM_US, FX_GRANT_TO_US);
    text_str(t, sizeof t, "grant.scope", "camera front in this range; clip clip.clip_id");
    text_str(t, sizeof t, "grant.range_us", num);
    text_str(t, sizeof t, "grant.support", "member's keys (the format does not check roles)");
    HEX("notice.clip_id", FX_NOTICE_CLIP_ID, 16);
    snprintf(num, sizeof num, "%llu", FX_NOTICE_TIME_US);
    text_str(t, sizeof t, "notice.time_us", num);
    text_str(t, sizeof t, "notice.meta", "clip-v1-meta + CLIP_REF clip.clip_id");
#undef HEX
    return add(v, n, "inputs", VEC_TEXT, t, strlen(t));
}

static int build_identity(struct vec *v, size_t *n, const struct fx *f)
{
    const porch_device_public *pub = porch_device_public_of(f->owner);
    uint8_t digest[20], file[PORCH_PUBLIC_FILE_MAX], *sec = NULL;
    char fp[PORCH_FINGERPRINT_STR_BYTES];
    size_t len = 0;
    crypto_generichash_state st;
    int ret;

    crypto_generichash_init(&st, NULL, 0, sizeof digest);
    crypto_generichash_update(&st, (const uint8_t *)"porchlight/v1/fingerprint", 25);
    crypto_generichash_update(&st, pub->sign_pk, 32);
    crypto_generichash_update(&st, pub->box_pk, 32);
    crypto_generichash_final(&st, digest, sizeof digest);
    if ((ret = add(v, n, "owner-sign-pk", VEC_HEX, pub->sign_pk, 32)) != PORCH_OK ||
        (ret = add(v, n, "owner-box-pk", VEC_HEX, pub->box_pk, 32)) != PORCH_OK ||
        (ret = add(v, n, "fingerprint-digest", VEC_HEX, digest, sizeof digest)) != PORCH_OK ||
        (ret = porch_fingerprint(pub, fp)) != PORCH_OK ||
        (ret = add(v, n, "fingerprint", VEC_TEXT, fp, strlen(fp))) != PORCH_OK ||
        (ret = porch_public_encode(pub, file, sizeof file, &len)) != PORCH_OK ||
        (ret = add(v, n, "public-key-file", VEC_HEX, file, len)) != PORCH_OK)
        return ret;
    note(v, *n, "%zu bytes.", len);
    uint8_t salt[16], nonce[24];
    fx_count(salt, sizeof salt, FX_SALT);
    fx_count(nonce, sizeof nonce, FX_NONCE);
    if ((ret = porch__device_seal_with(f->owner, FX_PASSPHRASE, strlen(FX_PASSPHRASE),
                                       crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                       crypto_pwhash_MEMLIMIT_INTERACTIVE, salt, nonce, &sec,
                                       &len)) != PORCH_OK)
        return ret;
    ret = add(v, n, "secret-key-file", VEC_HEX, sec, len);
    if (ret == PORCH_OK)
        note(v, *n, "%zu bytes; the last 80 are the sealed seeds (64) and the tag (16).", len);
    free(sec);
    return ret;
}

static int build_roster(struct vec *v, size_t *n, const struct fx *f)
{
    uint8_t *file = NULL;
    size_t len = 0;
    porch_roster_head head;
    int ret;

    if ((ret = porch_roster_encode(f->roster2, &file, &len)) != PORCH_OK)
        return ret;
    ret = add(v, n, "roster-v1", VEC_HEX, file, len);
    free(file);
    if (ret != PORCH_OK)
        return ret;
    note(v, *n, "%zu bytes: file header 16, then entry 0 (genesis) of %zu bytes after its length.",
         len, (size_t)f->roster2->entries[0].raw_len);
    porch_roster_get_head(f->roster2, &head);
    if ((ret = add(v, n, "roster-v1-head-hash", VEC_HEX, head.hash, 32)) != PORCH_OK)
        return ret;
    note(v, *n, "Entry hash of entry %zu, the head.", (size_t)head.seq);
    if ((ret = porch_roster_encode(f->roster3, &file, &len)) != PORCH_OK)
        return ret;
    ret = add(v, n, "roster-v1-with-hub", VEC_HEX, file, len);
    free(file);
    if (ret != PORCH_OK)
        return ret;
    note(v, *n, "%zu bytes: roster-v1 plus entry 2 (add hub) of %zu bytes.", len,
         (size_t)f->roster3->entries[2].raw_len);
    porch_roster_get_head(f->roster3, &head);
    if ((ret = add(v, n, "roster-v1-with-hub-head-hash", VEC_HEX, head.hash, 32)) != PORCH_OK)
        return ret;
    return PORCH_OK;
}

static int build_clip(struct vec *v, size_t *n, const struct fx *f)
{
    struct clip_random rnd;
    uint8_t commit[32], rkey[32], eph_pk[32], *clip = NULL, *meta = NULL;
    size_t len = 0, meta_len = 0;
    porch_clip_info info;
    porch_record_info ri;
    int ret;

    fx_clip_random(&rnd);
    porch__clip_commitment(commit, rnd.content_key, rnd.clip_id);
    porch__clip_record_key(rkey, rnd.content_key);
    crypto_scalarmult_curve25519_base(eph_pk, rnd.eph_sk);
    if ((ret = add(v, n, "clip-v1-eph-pk", VEC_HEX, eph_pk, 32)) != PORCH_OK ||
        (ret = add(v, n, "clip-v1-key-commitment", VEC_HEX, commit, 32)) != PORCH_OK ||
        (ret = add(v, n, "clip-v1-record-key", VEC_HEX, rkey, 32)) != PORCH_OK ||
        (ret = fx_meta(&meta, &meta_len)) != PORCH_OK ||
        (ret = add(v, n, "clip-v1-meta", VEC_HEX, meta, meta_len)) != PORCH_OK)
        goto out;
    note(v, *n, "%zu bytes: the payload of the final META record.", meta_len);
    if ((ret = fx_clip(f, &clip, &len)) != PORCH_OK ||
        (ret = porch_clip_header_parse(&info, clip, len)) != PORCH_OK ||
        (ret = add(v, n, "clip-v1-header-hash", VEC_HEX, info.header_hash, 32)) != PORCH_OK)
        goto out;
    if ((ret = porch_clip_record_peek(clip + info.header_len, len - info.header_len, &ri)) !=
            PORCH_OK ||
        (ret = add(v, n, "clip-v1", VEC_HEX, clip, len)) != PORCH_OK)
        goto out;
    snprintf(v[*n - 1].note, sizeof v[*n - 1].note,
             "%zu bytes: header at 0 (%zu bytes, 2 wraps: owner then member), record 0 "
             "(INIT) at %zu (%zu bytes), record 1 (META, final) at %zu (%zu bytes).",
             len, info.header_len, info.header_len, ri.record_len,
             info.header_len + ri.record_len, len - info.header_len - ri.record_len);
out:
    sodium_memzero(&rnd, sizeof rnd);
    free(clip);
    free(meta);
    return ret;
}

/* The vector grant: the owner grants camera "front" for an hour and the vector clip. */
int fx_grant(const struct fx *f, uint8_t **out, size_t *out_len)
{
    const porch_device_public *sup = porch_device_public_of(f->member);
    porch_grant *g = calloc(1, sizeof *g);
    int ret;

    if (!g)
        return PORCH_ERR_NOMEM;
    fx_count(g->household, 16, FX_HOUSEHOLD);
    fx_count(g->grant_id, 16, FX_GRANT_ID);
    memcpy(g->support_sign_pk, sup->sign_pk, 32);
    memcpy(g->support_box_pk, sup->box_pk, 32);
    g->created_us = FX_GRANT_CREATED_US;
    g->expires_us = FX_GRANT_EXPIRES_US;
    g->n_cameras = 1;
    memcpy(g->cameras[0], FX_CAMERA, sizeof FX_CAMERA);
    g->from_us = FX_GRANT_FROM_US;
    g->to_us = FX_GRANT_TO_US;
    g->n_clips = 1;
    fx_count(g->clip_ids[0], 16, FX_CLIP_ID);
    ret = porch__grant_sign(g, f->owner, out, out_len);
    free(g);
    return ret;
}

static int build_grant_notice(struct vec *v, size_t *n, const struct fx *f)
{
    struct clip_random rnd;
    porch_clip_meta *m = NULL;
    uint8_t *grant = NULL, *notice = NULL, *meta = NULL, *nmeta = NULL, ref[16];
    size_t len = 0, meta_len = 0, nmeta_len = 0;
    int ret;

    if ((ret = fx_grant(f, &grant, &len)) != PORCH_OK ||
        (ret = add(v, n, "grant-v1", VEC_HEX, grant, len)) != PORCH_OK)
        goto out;
    note(v, *n, "%zu bytes: fixed part 180, camera \"front\" 6, one clip id 16, signature 64.",
         len);
    fx_clip_random(&rnd);
    fx_count(rnd.clip_id, 16, FX_NOTICE_CLIP_ID);
    fx_count(ref, 16, FX_CLIP_ID);
    if ((ret = fx_meta(&meta, &meta_len)) != PORCH_OK ||
        (ret = porch_meta_decode(&m, meta, meta_len)) != PORCH_OK)
        goto out;
    m->has_clip_ref = 1;
    memcpy(m->clip_ref, ref, 16);
    if ((ret = porch_meta_encode(m, &nmeta, &nmeta_len)) != PORCH_OK ||
        (ret = add(v, n, "notice-v1-meta", VEC_HEX, nmeta, nmeta_len)) != PORCH_OK)
        goto out;
    note(v, *n, "%zu bytes: clip-v1-meta followed by the CLIP_REF item (type 5).", nmeta_len);
    if ((ret = porch__notice_seal_with(&notice, &len, f->hub, f->roster3, FX_CAMERA,
                                       FX_NOTICE_TIME_US, ref, m, &rnd)) != PORCH_OK ||
        (ret = add(v, n, "notice-v1", VEC_HEX, notice, len)) != PORCH_OK)
        goto out;
    note(v, *n, "%zu bytes: a clip header (2 wraps) and one final META record holding "
                "notice-v1-meta.", len);
out:
    sodium_memzero(&rnd, sizeof rnd);
    porch_meta_free(m);
    free(grant);
    free(notice);
    free(meta);
    free(nmeta);
    return ret;
}

static int build_padme(struct vec *v, size_t *n)
{
    static const size_t lens[] = {0,     1,     248,    249,    1000,    4096,
                                  65528, 65529, 100000, 1u << 20, 8u << 20, 64u << 20};
    char t[1024];
    size_t o = 0;
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
        o += (size_t)snprintf(t + o, sizeof t - o, "%spayload_len %zu -> plain_len %zu",
                              i ? "\n" : "", lens[i], porch__record_plain_len(lens[i]));
    return add(v, n, "padme", VEC_TEXT, t, o);
}

int vectors_build(struct vec *v, size_t *n)
{
    struct fx f;
    int ret;

    *n = 0;
    if ((ret = fx_init(&f)) != PORCH_OK)
        return ret;
    if ((ret = build_inputs(v, n)) == PORCH_OK && (ret = build_identity(v, n, &f)) == PORCH_OK &&
        (ret = build_roster(v, n, &f)) == PORCH_OK && (ret = build_clip(v, n, &f)) == PORCH_OK &&
        (ret = build_grant_notice(v, n, &f)) == PORCH_OK)
        ret = build_padme(v, n);
    fx_free(&f);
    if (ret != PORCH_OK) {
        vectors_free(v, *n);
        *n = 0;
    }
    return ret;
}

void vectors_free(struct vec *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].data);
        v[i].data = NULL;
    }
}

const struct vec *vectors_find(const struct vec *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0)
            return &v[i];
    return NULL;
}
