/*
 * auth.c: challenge-response device authentication and bearer tokens.
 *
 * Challenges are 32 random bytes held in memory for 60 s and consumed by the
 * first token attempt that names them, right or wrong, so a signature can be
 * used once. The signed message binds the server's key, the household and
 * the device (docs/API.md). Tokens are 32 random bytes; only SHA-256(token)
 * is stored, so a copy of the database grants nothing. Failed attempts drain
 * a token bucket per device and per client address.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "server/srv.h"

#define AUTH_DOMAIN "porchlight/v1/auth"     /* + its NUL: 19 bytes */
#define CHALLENGE_US (60u * 1000000u)

int porch_srv_auth_new(porch_srv_auth **out)
{
    porch_srv_auth *a = calloc(1, sizeof *a);

    *out = NULL;
    if (!a)
        return PORCH_ERR_NOMEM;
    pthread_mutex_init(&a->lock, NULL);
    *out = a;
    return PORCH_OK;
}

void porch_srv_auth_free(porch_srv_auth *a)
{
    if (!a)
        return;
    pthread_mutex_destroy(&a->lock);
    sodium_memzero(a, sizeof *a);
    free(a);
}

/* The bucket for key, refilled to now (cap failures per minute). A colliding
 * key takes the slot over full: the table bounds memory, not fairness. */
static porch_srv_bucket *bucket(porch_srv_bucket *tab, const uint8_t key[32], double cap,
                                uint64_t now)
{
    porch_srv_bucket *b = &tab[(key[0] | (unsigned)key[1] << 8) % PORCH_SRV_BUCKETS];

    if (memcmp(b->key, key, 32) != 0 || b->last_us == 0) {
        memcpy(b->key, key, 32);
        b->tokens = cap;
    } else {
        b->tokens += cap * (double)(now - b->last_us) / 60e6;
        if (b->tokens > cap)
            b->tokens = cap;
    }
    b->last_us = now;
    return b;
}

static void addr_key(const char *addr, uint8_t key[32])
{
    crypto_hash_sha256(key, (const uint8_t *)addr, strlen(addr));
}

/* 1 when neither the address nor the device (may be NULL) is over its limit. */
int porch_srv_rate_ok(porch_srv *s, const char *addr, const uint8_t *dev)
{
    double cap = s->cfg.auth_fails_per_min;
    uint64_t now = porch_srv_mono_us();
    uint8_t k[32];
    int ok;

    addr_key(addr, k);
    pthread_mutex_lock(&s->auth->lock);
    ok = bucket(s->auth->addr, k, cap, now)->tokens >= 1;
    if (dev)
        ok = bucket(s->auth->dev, dev, cap, now)->tokens >= 1 && ok;
    pthread_mutex_unlock(&s->auth->lock);
    return ok;
}

void porch_srv_rate_fail(porch_srv *s, const char *addr, const uint8_t *dev)
{
    double cap = s->cfg.auth_fails_per_min;
    uint64_t now = porch_srv_mono_us();
    uint8_t k[32];

    addr_key(addr, k);
    pthread_mutex_lock(&s->auth->lock);
    bucket(s->auth->addr, k, cap, now)->tokens -= 1;
    if (dev)
        bucket(s->auth->dev, dev, cap, now)->tokens -= 1;
    pthread_mutex_unlock(&s->auth->lock);
}

static int rate_limited(porch_srv_req *r)
{
    struct MHD_Response *resp;
    json_t *j = json_pack("{s:s,s:s}", "error", "rate_limited", "message",
                          "too many failed attempts; retry later");
    char *t = json_dumps(j, JSON_COMPACT);

    json_decref(j);
    if (!t)
        return PORCH_ERR_NOMEM;
    resp = MHD_create_response_from_buffer(strlen(t), t, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(t);
        return PORCH_ERR_NOMEM;
    }
    MHD_add_response_header(resp, "Content-Type", "application/json");
    MHD_add_response_header(resp, "Retry-After", "60");
    return porch_srv_queue(r, 429, resp);
}

static int pick_challenge(porch_srv_auth *a, uint64_t now)
{
    int oldest = 0;

    for (unsigned i = 0; i < PORCH_SRV_CHALLENGES; i++) {
        if (a->ch[i].expires_us <= now)
            return (int)i;
        if (a->ch[i].expires_us < a->ch[oldest].expires_us)
            oldest = (int)i;
    }
    return oldest;
}

int porch_srv_route_challenge(porch_srv_req *r)
{
    porch_srv *s = r->srv;
    uint8_t hh[PORCH_SRV_HH], dev[PORCH_SIGN_PK_BYTES], c[32];
    const porch_roster *roster = NULL;
    char hex[65];
    json_t *j = NULL;
    uint64_t now = porch_srv_now_us();
    int ret;

    if (!porch_srv_rate_ok(s, r->addr, NULL))
        return rate_limited(r);
    if ((ret = porch_srv_parse_json(r->body, r->body_len, s->cfg.json_max, &j)) != PORCH_OK ||
        (ret = porch_srv_json_hex(j, "household", hh, sizeof hh)) != PORCH_OK ||
        (ret = porch_srv_json_hex(j, "device", dev, sizeof dev)) != PORCH_OK)
        goto out;
    if ((ret = porch_srv_load_roster(s, hh, &roster, NULL)) != PORCH_OK)
        goto out;
    randombytes_buf(c, sizeof c);
    pthread_mutex_lock(&s->auth->lock);
    porch_srv_challenge *slot = &s->auth->ch[pick_challenge(s->auth, porch_srv_mono_us())];
    memcpy(slot->c, c, 32);
    memcpy(slot->hh, hh, sizeof hh);
    memcpy(slot->dev, dev, sizeof dev);
    slot->expires_us = porch_srv_mono_us() + CHALLENGE_US;
    pthread_mutex_unlock(&s->auth->lock);
    sodium_bin2hex(hex, sizeof hex, c, sizeof c);
    ret = porch_srv_json(r, 200, json_pack("{s:s,s:I}", "challenge", hex, "expires_us",
                                           (json_int_t)(now + CHALLENGE_US)));
out:
    porch_srv_roster_release(s, roster);
    json_decref(j);
    return ret;
}

/* Removes the challenge c whatever happens next; 1 if it was live for (hh, dev). */
static int consume_challenge(porch_srv *s, const uint8_t c[32], const uint8_t *hh,
                             const uint8_t *dev)
{
    uint64_t now = porch_srv_mono_us();
    int ok = 0;

    pthread_mutex_lock(&s->auth->lock);
    for (unsigned i = 0; i < PORCH_SRV_CHALLENGES; i++) {
        porch_srv_challenge *ch = &s->auth->ch[i];
        if (ch->expires_us && sodium_memcmp(ch->c, c, 32) == 0) {
            ok = ch->expires_us > now && !memcmp(ch->hh, hh, PORCH_SRV_HH) &&
                 !memcmp(ch->dev, dev, PORCH_SIGN_PK_BYTES);
            memset(ch, 0, sizeof *ch);
            break;
        }
    }
    pthread_mutex_unlock(&s->auth->lock);
    return ok;
}

static int sig_ok(porch_srv *s, const uint8_t *hh, const uint8_t *dev, const uint8_t *c,
                  const uint8_t *sig)
{
    uint8_t msg[sizeof AUTH_DOMAIN + 32 + PORCH_SRV_HH + 32 + 32];
    size_t o = 0;

    memcpy(msg, AUTH_DOMAIN, sizeof AUTH_DOMAIN);   /* with its NUL */
    o += sizeof AUTH_DOMAIN;
    memcpy(msg + o, s->sign_pk, 32);
    o += 32;
    memcpy(msg + o, hh, PORCH_SRV_HH);
    o += PORCH_SRV_HH;
    memcpy(msg + o, dev, 32);
    o += 32;
    memcpy(msg + o, c, 32);
    o += 32;
    return crypto_sign_verify_detached(sig, msg, o, dev) == 0;
}

static const char *role_name(porch_role r)
{
    switch (r) {
    case PORCH_ROLE_ADMIN: return "admin";
    case PORCH_ROLE_MEMBER: return "member";
    case PORCH_ROLE_HUB: return "hub";
    case PORCH_ROLE_SUPPORT: return "support";
    }
    return "unknown";
}

static int issue_token(porch_srv_req *r, const uint8_t *hh, const uint8_t *dev,
                       porch_role role)
{
    porch_srv *s = r->srv;
    uint8_t tok[32], th[32];
    char b64[64];
    uint64_t exp = porch_srv_now_us() + s->cfg.token_ttl_s * 1000000u;
    int ret;

    randombytes_buf(tok, sizeof tok);
    crypto_hash_sha256(th, tok, sizeof tok);
    sodium_bin2base64(b64, sizeof b64, tok, sizeof tok, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(tok, sizeof tok);
    ret = s->meta->ops->token_put(s->meta, th, hh, dev, exp);
    if (ret == PORCH_OK)
        ret = porch_srv_json(r, 200, json_pack("{s:s,s:I,s:s}", "token", b64, "expires_us",
                                               (json_int_t)exp, "role", role_name(role)));
    sodium_memzero(b64, sizeof b64);
    return ret;
}

int porch_srv_route_token(porch_srv_req *r)
{
    porch_srv *s = r->srv;
    uint8_t hh[PORCH_SRV_HH], dev[PORCH_SIGN_PK_BYTES], c[32], sig[64];
    const porch_roster *roster = NULL;
    const porch_member *m;
    json_t *j = NULL;
    int ret;

    if ((ret = porch_srv_parse_json(r->body, r->body_len, s->cfg.json_max, &j)) != PORCH_OK ||
        (ret = porch_srv_json_hex(j, "household", hh, sizeof hh)) != PORCH_OK ||
        (ret = porch_srv_json_hex(j, "device", dev, sizeof dev)) != PORCH_OK ||
        (ret = porch_srv_json_hex(j, "challenge", c, sizeof c)) != PORCH_OK ||
        (ret = porch_srv_json_hex(j, "signature", sig, sizeof sig)) != PORCH_OK)
        goto out;
    if (!porch_srv_rate_ok(s, r->addr, dev)) {
        consume_challenge(s, c, hh, dev);
        ret = rate_limited(r);
        goto out;
    }
    if (!consume_challenge(s, c, hh, dev) || !sig_ok(s, hh, dev, c, sig) ||
        porch_srv_load_roster(s, hh, &roster, NULL) != PORCH_OK ||
        !(m = porch_roster_find(roster, dev))) {
        porch_srv_rate_fail(s, r->addr, dev);
        ret = porch_srv_error(r, 401, "unauthorized", "challenge, signature or device refused");
        goto out;
    }
    ret = issue_token(r, hh, dev, m->role);
out:
    porch_srv_roster_release(s, roster);
    json_decref(j);
    return ret;
}

int porch_srv_authenticate(porch_srv_req *r)
{
    porch_srv *s = r->srv;
    const char *h = porch_srv_header(r, "Authorization");
    uint8_t tok[32], th[32], url_hh[PORCH_SRV_HH];
    uint64_t exp = 0;

    if (!h || porch_srv_parse_bearer(h, strlen(h), tok) != PORCH_OK)
        return porch_srv_error(r, 401, "unauthorized", "a valid bearer token is required");
    crypto_hash_sha256(th, tok, sizeof tok);
    sodium_memzero(tok, sizeof tok);
    if (s->meta->ops->token_get(s->meta, th, r->hh, r->dev, &exp) != PORCH_OK ||
        exp <= porch_srv_now_us())
        return porch_srv_error(r, 401, "unauthorized", "token unknown or expired");
    if (porch_srv_seg_hex(r, 2, url_hh, sizeof url_hh) != PORCH_OK)
        return porch_srv_error(r, 400, "bad_request", "household id must be 32 hex digits");
    if (memcmp(url_hh, r->hh, PORCH_SRV_HH) != 0)
        return porch_srv_error(r, 403, "forbidden", "token is for another household");
    if (porch_srv_load_roster(s, r->hh, &r->roster, NULL) != PORCH_OK ||
        !(r->me = porch_roster_find(r->roster, r->dev)))
        return porch_srv_error(r, 401, "unauthorized", "device is not an active member");
    r->authed = 1;
    return PORCH_OK;
}

int porch_srv_log_read(porch_srv_req *r, porch_log_kind kind, const uint8_t object[16])
{
    porch_log_entry e;
    uint8_t enc[PORCH_LOG_ENTRY_BYTES];
    int ret;

    memset(&e, 0, sizeof e);
    memcpy(e.household, r->hh, PORCH_SRV_HH);
    e.kind = kind;
    memcpy(e.object_id, object, PORCH_LOG_OBJECT_ID_BYTES);
    memcpy(e.reader_pk, r->dev, PORCH_SIGN_PK_BYTES);
    e.time_us = porch_srv_now_us();
    if ((ret = porch_log_entry_encode(&e, enc)) != PORCH_OK)
        return ret;
    ret = r->srv->meta->ops->log_append(r->srv->meta, r->hh, enc, sizeof enc, NULL);
    if (ret == PORCH_OK)
        porch_srv_metrics_add(&r->srv->metrics, &r->srv->metrics.log_appends, 1);
    return ret;
}
