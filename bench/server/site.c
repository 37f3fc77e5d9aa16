/* site.c: see site.h. */
#include "site.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "porchlight/clip_meta.h"
#include "porchlight/error.h"

#define AUTH_CONTEXT "porchlight/v1/auth"   /* signed with its NUL */
#define RECORD_PAYLOAD (256u << 10)

void site_hex(char *out, const uint8_t *in, size_t len)
{
    sodium_bin2hex(out, 2 * len + 1, in, len);
}

static int unhex(uint8_t *out, size_t len, const char *hex)
{
    size_t got = 0;
    if (!hex || strlen(hex) != 2 * len)
        return -1;
    return sodium_hex2bin(out, len, hex, 2 * len, NULL, &got, NULL) == 0 && got == len ? 0 : -1;
}

/* String member of a JSON body, copied into out. */
static int json_str(const lg_response *r, const char *key, char *out, size_t cap)
{
    json_t *j = r->body ? json_loadb((const char *)r->body, r->body_len, 0, NULL) : NULL;
    const char *v = j ? json_string_value(json_object_get(j, key)) : NULL;
    int ok = v && strlen(v) < cap;
    if (ok)
        strcpy(out, v);
    json_decref(j);
    return ok ? 0 : -1;
}

int site_server_key(lg_conn *c, uint8_t pk[PORCH_SIGN_PK_BYTES])
{
    lg_response r;
    char hex[2 * PORCH_SIGN_PK_BYTES + 1];
    if (lg_fetch(c, "GET", "/v1/server", NULL, NULL, 0, &r) != 200 ||
        json_str(&r, "sign_pk", hex, sizeof hex) != 0 || unhex(pk, PORCH_SIGN_PK_BYTES, hex) != 0) {
        fprintf(stderr, "bench_server: GET /v1/server: status %d\n", r.status);
        return -1;
    }
    return 0;
}

static porch_device_secret **make_devices(size_t n, const char *prefix)
{
    porch_device_secret **v = calloc(n ? n : 1, sizeof *v);
    char name[64];
    for (size_t i = 0; v && i < n; i++) {
        snprintf(name, sizeof name, "%s-%zu", prefix, i);
        if (porch_device_generate(&v[i], name) != PORCH_OK)
            return NULL;
    }
    return v;
}

int site_household_make(site_household *h, size_t n_hubs, size_t n_members)
{
    porch_scope all;
    uint64_t t = 1700000000;
    memset(h, 0, sizeof *h);
    memset(&all, 0, sizeof all);
    all.all_cameras = 1;
    h->n_hubs = n_hubs;
    h->n_members = n_members;
    if (porch_device_generate(&h->owner, "bench-owner") != PORCH_OK ||
        !(h->hubs = make_devices(n_hubs, "bench-hub")) ||
        !(h->members = make_devices(n_members, "bench-member")) ||
        porch_roster_create(&h->roster, h->owner, t) != PORCH_OK)
        return -1;
    for (size_t i = 0; i < n_hubs; i++)
        if (porch_roster_add(h->roster, h->owner, porch_device_public_of(h->hubs[i]),
                             PORCH_ROLE_HUB, &all, ++t) != PORCH_OK)
            return -1;
    for (size_t i = 0; i < n_members; i++)
        if (porch_roster_add(h->roster, h->owner, porch_device_public_of(h->members[i]),
                             PORCH_ROLE_MEMBER, &all, ++t) != PORCH_OK)
            return -1;
    site_hex(h->id, porch_roster_household(h->roster), PORCH_HOUSEHOLD_ID_BYTES);
    return 0;
}

void site_household_free(site_household *h)
{
    for (size_t i = 0; h->hubs && i < h->n_hubs; i++)
        porch_device_free(h->hubs[i]);
    for (size_t i = 0; h->members && i < h->n_members; i++)
        porch_device_free(h->members[i]);
    free(h->hubs);
    free(h->members);
    porch_device_free(h->owner);
    porch_roster_free(h->roster);
    memset(h, 0, sizeof *h);
}

int site_household_create(lg_conn *c, site_household *h, double *waited_s)
{
    uint8_t *roster = NULL;
    size_t roster_len = 0;
    lg_response r;
    int st = 0;
    double t0 = lg_now();

    if (porch_roster_encode(h->roster, &roster, &roster_len) != PORCH_OK)
        return -1;
    for (;;) {
        st = lg_fetch(c, "POST", "/v1/households",
                      "Content-Type: application/octet-stream\r\n", roster, roster_len, &r);
        if (st != 429 || lg_now() - t0 > 120)
            break;
        char ra[32] = "1";
        lg_header(r.head, "Retry-After", ra, sizeof ra);
        struct timespec ts = {atoi(ra) > 0 ? atoi(ra) : 1, 0};
        nanosleep(&ts, NULL);
    }
    *waited_s += lg_now() - t0;
    free(roster);
    if (st != 201) {
        fprintf(stderr, "bench_server: POST /v1/households: status %d %s\n", st,
                r.body ? (const char *)r.body : "");
        return -1;
    }
    return 0;
}

int site_auth(lg_conn *c, const uint8_t server_pk[PORCH_SIGN_PK_BYTES], const char *household,
              const porch_device_secret *dev, char *token)
{
    const porch_device_public *pub = porch_device_public_of(dev);
    char pk_hex[65], ch_hex[65], sig_hex[129], body[512];
    uint8_t msg[sizeof AUTH_CONTEXT + 32 + 16 + 32 + 32], sig[PORCH_SIGNATURE_BYTES];
    uint8_t *m = msg;
    lg_response r;
    int n;

    site_hex(pk_hex, pub->sign_pk, PORCH_SIGN_PK_BYTES);
    n = snprintf(body, sizeof body, "{\"household\":\"%s\",\"device\":\"%s\"}", household, pk_hex);
    if (lg_fetch(c, "POST", "/v1/auth/challenge", "Content-Type: application/json\r\n",
                 (const uint8_t *)body, (size_t)n, &r) != 200 ||
        json_str(&r, "challenge", ch_hex, sizeof ch_hex) != 0) {
        fprintf(stderr, "bench_server: auth challenge: status %d %s\n", r.status,
                r.body ? (const char *)r.body : "");
        return -1;
    }
    memcpy(m, AUTH_CONTEXT, sizeof AUTH_CONTEXT);
    m += sizeof AUTH_CONTEXT;
    memcpy(m, server_pk, 32);
    m += 32;
    if (unhex(m, 16, household) != 0 || unhex(m + 16 + 32, 32, ch_hex) != 0)
        return -1;
    m += 16;
    memcpy(m, pub->sign_pk, 32);
    if (porch_device_sign(dev, msg, sizeof msg, sig) != PORCH_OK)
        return -1;
    site_hex(sig_hex, sig, sizeof sig);
    n = snprintf(body, sizeof body,
                 "{\"household\":\"%s\",\"device\":\"%s\",\"challenge\":\"%s\","
                 "\"signature\":\"%s\"}", household, pk_hex, ch_hex, sig_hex);
    if (lg_fetch(c, "POST", "/v1/auth/token", "Content-Type: application/json\r\n",
                 (const uint8_t *)body, (size_t)n, &r) != 200 ||
        json_str(&r, "token", token, SITE_TOKEN_MAX) != 0) {
        fprintf(stderr, "bench_server: auth token: status %d %s\n", r.status,
                r.body ? (const char *)r.body : "");
        return -1;
    }
    return 0;
}

static int append(site_clip *out, size_t *cap, const uint8_t *p, size_t n)
{
    if (out->len + n > *cap) {
        size_t c = (out->len + n) * 2;
        uint8_t *b = realloc(out->bytes, c);
        if (!b)
            return -1;
        out->bytes = b;
        *cap = c;
    }
    memcpy(out->bytes + out->len, p, n);
    out->len += n;
    return 0;
}

/* Records of RECORD_PAYLOAD zero bytes (the ciphertext is what the servers
 * see) until the clip is within one record of target, then the final META. */
int site_clip_seal(site_clip *out, const porch_device_secret *hub, const porch_roster *roster,
                   const char *camera, uint64_t start_us, size_t target)
{
    static const uint8_t zeros[RECORD_PAYLOAD];
    porch_clip_writer *w = NULL;
    porch_clip_info info;
    porch_clip_meta meta;
    const uint8_t *p;
    uint8_t *enc = NULL, hash[32];
    size_t len, enc_len, cap = target + 4096, piece;
    int ret = -1;

    memset(out, 0, sizeof *out);
    memset(&meta, 0, sizeof meta);
    meta.end_us = start_us + 10000000;
    snprintf(meta.reason, sizeof meta.reason, "bench");
    if (!(out->bytes = malloc(cap)) ||
        porch_clip_writer_new(&w, hub, roster, camera, start_us) != PORCH_OK ||
        porch_clip_writer_header(w, &p, &len) != PORCH_OK || append(out, &cap, p, len) != 0 ||
        porch_clip_writer_append(w, PORCH_RECORD_INIT, zeros, 1024, &p, &len) != PORCH_OK ||
        append(out, &cap, p, len) != 0)
        goto out;
    while (out->len + 1024 < target) {
        piece = target - out->len - 512 < RECORD_PAYLOAD ? target - out->len - 512
                                                           : RECORD_PAYLOAD;
        if (porch_clip_writer_append(w, PORCH_RECORD_MEDIA, zeros, piece, &p, &len) != PORCH_OK ||
            append(out, &cap, p, len) != 0)
            goto out;
    }
    if (porch_meta_encode(&meta, &enc, &enc_len) != PORCH_OK ||
        porch_clip_writer_finish(w, enc, enc_len, &p, &len) != PORCH_OK ||
        append(out, &cap, p, len) != 0)
        goto out;
    porch_clip_writer_info(w, &info);
    site_hex(out->id, info.clip_id, PORCH_CLIP_ID_BYTES);
    crypto_hash_sha256(hash, out->bytes, out->len);
    site_hex(out->sha256, hash, sizeof hash);
    out->start_us = start_us;
    ret = 0;
out:
    free(enc);
    porch_clip_writer_free(w);
    if (ret != 0)
        site_clip_free(out);
    return ret;
}

void site_clip_free(site_clip *c)
{
    free(c->bytes);
    memset(c, 0, sizeof *c);
}
