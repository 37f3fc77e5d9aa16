/*
 * client.c: the client object, one HTTP request, status mapping and the
 * challenge-response login (docs/SERVER.md, "Authentication").
 *
 * One CURL easy handle per client: libcurl keeps its connection cache in the
 * handle across curl_easy_reset(), so consecutive requests reuse the
 * connection. The token exists only in sodium_malloc() memory and in the
 * header list of the request in flight, which is wiped before it is freed.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client/client_internal.h"
#include "porchlight/error.h"
#include "util/hex.h"

static const char auth_domain[] = "porchlight/v1/auth"; /* signed with its NUL */

void porch__hex16(char out[33], const uint8_t id[16])
{
    porch__hex_encode(out, 33, id, 16);
}

int porch_client_new(porch_client **out, const porch_client_config *cfg)
{
    porch_client *c = NULL;
    int ret = PORCH_ERR_INVALID_ARG;

    if (out)
        *out = NULL;
    if (!out || !cfg || !cfg->base_url || !*cfg->base_url)
        return ret;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return PORCH_ERR_HTTP;
    ret = PORCH_ERR_NOMEM;
    if (!(c = calloc(1, sizeof *c)) || !(c->base_url = strdup(cfg->base_url)) ||
        (cfg->ca_file && !(c->ca_file = strdup(cfg->ca_file))) || !(c->curl = curl_easy_init()))
        goto out;
    size_t bl = strlen(c->base_url);
    while (bl && c->base_url[bl - 1] == '/')
        c->base_url[--bl] = '\0';
    if (cfg->server_pk) {
        memcpy(c->server_pk, cfg->server_pk, PORCH_SIGN_PK_BYTES);
        c->have_server_pk = 1;
    }
    c->device = cfg->device;
    if (cfg->household)
        porch_client_set_household(c, cfg->household);
    c->connect_timeout_ms = cfg->connect_timeout_ms ? cfg->connect_timeout_ms : 10000;
    c->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : 120000;
    c->chunk_size = cfg->chunk_size ? cfg->chunk_size : PORCH_CLIENT_DEFAULT_CHUNK;
    c->max_body = cfg->max_body ? cfg->max_body : PORCH_CLIENT_DEFAULT_MAX_BODY;
    *out = c;
    c = NULL;
    ret = PORCH_OK;
out:
    porch_client_free(c);
    return ret;
}

void porch_client_logout(porch_client *c)
{
    if (c && c->token) {
        sodium_free(c->token);
        c->token = NULL;
    }
}

void porch_client_free(porch_client *c)
{
    if (!c)
        return;
    porch_client_logout(c);
    if (c->curl)
        curl_easy_cleanup(c->curl);
    free(c->base_url);
    free(c->ca_file);
    free(c);
}

int porch_client_set_household(porch_client *c, const uint8_t household[PORCH_HOUSEHOLD_ID_BYTES])
{
    if (!c || !household)
        return PORCH_ERR_INVALID_ARG;
    if (c->have_household && memcmp(c->household, household, 16) != 0)
        porch_client_logout(c);
    memcpy(c->household, household, PORCH_HOUSEHOLD_ID_BYTES);
    porch__hex16(c->hh_hex, household);
    c->have_household = 1;
    return PORCH_OK;
}

long porch_client_last_status(const porch_client *c)
{
    return c ? c->last_status : 0;
}

const char *porch_client_last_transport_error(const porch_client *c)
{
    return c ? c->transport_error : "";
}

void porch__transport_error_setup(porch_client *c, CURL *k)
{
    c->transport_error[0] = '\0';
    curl_easy_setopt(k, CURLOPT_ERRORBUFFER, c->transport_error);
}

int porch__transport_failed(porch_client *c, CURLcode cr)
{
    if (!c->transport_error[0])
        snprintf(c->transport_error, sizeof c->transport_error, "%s", curl_easy_strerror(cr));
    return PORCH_ERR_HTTP;
}

const char *porch_client_last_error(const porch_client *c)
{
    return c ? c->last_error : "";
}

int porch__status_error(long status)
{
    if (status >= 200 && status < 300)
        return PORCH_OK;
    switch (status) {
    case 401: return PORCH_ERR_UNAUTHORIZED;
    case 403: return PORCH_ERR_FORBIDDEN;
    case 404: return PORCH_ERR_NOT_FOUND;
    case 409: return PORCH_ERR_CONFLICT;
    case 429: return PORCH_ERR_RATE_LIMITED;
    case 400: case 411: case 413: case 415: case 416: case 422: return PORCH_ERR_REJECTED;
    default: return status >= 500 && status < 600 ? PORCH_ERR_SERVER : PORCH_ERR_HTTP_STATUS;
    }
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    struct porch__req *req = ctx;
    size_t len = size * n;
    if (len > req->max_response - req->resp_len)
        return 0; /* over the cap: abort the transfer */
    uint8_t *grown = realloc(req->resp, req->resp_len + len + 1);
    if (!grown)
        return 0;
    memcpy(grown + req->resp_len, p, len);
    req->resp = grown;
    req->resp_len += len;
    req->resp[req->resp_len] = '\0';
    return len;
}

/* Parses "Upload-Offset: N" and "Upload-Complete: 1". */
static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
    struct porch__req *req = ctx;
    size_t len = size * n;
    char line[128];
    if (len >= sizeof line)
        return len;
    memcpy(line, p, len);
    line[len] = '\0';
    if (strncasecmp(line, "Upload-Offset:", 14) == 0) {
        char *end;
        unsigned long long v = strtoull(line + 14, &end, 10);
        if (end != line + 14) {
            req->upload_offset = v;
            req->have_offset = 1;
        }
    } else if (strncasecmp(line, "Upload-Complete:", 16) == 0) {
        req->complete = atoi(line + 16) == 1;
    }
    return len;
}

/* Wipes a header list (it may hold the token) and frees it. */
static void headers_free(struct curl_slist *h)
{
    for (struct curl_slist *i = h; i; i = i->next)
        sodium_memzero(i->data, strlen(i->data));
    curl_slist_free_all(h);
}

static int build_headers(const porch_client *c, const struct porch__req *req,
                         struct curl_slist **out)
{
    char line[TOKEN_MAX + 32];
    struct curl_slist *h = NULL, *t;
    int ok = 1;

    *out = NULL;
    if (req->content_type) {
        snprintf(line, sizeof line, "Content-Type: %s", req->content_type);
        ok = ok && (t = curl_slist_append(h, line)) && (h = t);
    }
    if (req->header)
        ok = ok && (t = curl_slist_append(h, req->header)) && (h = t);
    if (ok && req->auth && c->token) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", c->token);
        ok = (t = curl_slist_append(h, line)) && (h = t);
        sodium_memzero(line, sizeof line);
    }
    ok = ok && (t = curl_slist_append(h, "Expect:")) && (h = t);
    if (!ok) {
        headers_free(h);
        return PORCH_ERR_NOMEM;
    }
    *out = h;
    return PORCH_OK;
}

static void setup(porch_client *c, struct porch__req *req, const char *url,
                  struct curl_slist *h)
{
    CURL *k = c->curl;
    curl_easy_reset(k);
    curl_easy_setopt(k, CURLOPT_URL, url);
    curl_easy_setopt(k, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(k, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    curl_easy_setopt(k, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(k, CURLOPT_PROTOCOLS_STR, "http,https");
    if (c->ca_file)
        curl_easy_setopt(k, CURLOPT_CAINFO, c->ca_file);
    porch__transport_error_setup(c, k);
    curl_easy_setopt(k, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(k, CURLOPT_WRITEDATA, req);
    curl_easy_setopt(k, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(k, CURLOPT_HEADERDATA, req);
    if (strcmp(req->method, "HEAD") == 0)
        curl_easy_setopt(k, CURLOPT_NOBODY, 1L);
    else if (strcmp(req->method, "GET") != 0)
        curl_easy_setopt(k, CURLOPT_CUSTOMREQUEST, req->method);
    if (req->body || strcmp(req->method, "POST") == 0 || strcmp(req->method, "PUT") == 0 ||
        strcmp(req->method, "PATCH") == 0) {
        curl_easy_setopt(k, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
        curl_easy_setopt(k, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    }
}

static void reset_response(struct porch__req *req)
{
    free(req->resp);
    req->resp = NULL;
    req->resp_len = 0;
    req->status = 0;
    req->have_offset = req->complete = 0;
    req->upload_offset = 0;
}

/* One attempt, no re-authentication. */
static int perform(porch_client *c, struct porch__req *req)
{
    char url[1024];
    struct curl_slist *h = NULL;
    int ret;

    reset_response(req);
    c->last_status = 0;
    c->last_error[0] = '\0';
    if (!req->max_response)
        req->max_response = PORCH_CLIENT_JSON_MAX;
    if ((size_t)snprintf(url, sizeof url, "%s%s", c->base_url, req->path) >= sizeof url)
        return PORCH_ERR_INVALID_ARG;
    if ((ret = build_headers(c, req, &h)) != PORCH_OK)
        return ret;
    setup(c, req, url, h);
    CURLcode cr = curl_easy_perform(c->curl);
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
    headers_free(h);
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &req->status);
    c->last_status = req->status;
    if (cr == CURLE_WRITE_ERROR && req->status)
        return PORCH_ERR_BAD_RESPONSE; /* body over the cap */
    if (cr != CURLE_OK)
        return porch__transport_failed(c, cr);
    if ((ret = porch__status_error(req->status)) != PORCH_OK && req->resp)
        porch__json_error(req->resp, req->resp_len, c->last_error, sizeof c->last_error);
    return ret;
}

int porch__call(porch_client *c, struct porch__req *req)
{
    int ret;
    if (req->auth && !req->exact && !c->token && (ret = porch_client_login(c, NULL)) != PORCH_OK)
        return ret;
    ret = perform(c, req);
    if (ret == PORCH_ERR_UNAUTHORIZED && req->auth && !req->exact) {
        /* The token may have expired: log in again, once. */
        porch_client_logout(c);
        if ((ret = porch_client_login(c, NULL)) != PORCH_OK)
            return ret;
        ret = perform(c, req);
    }
    return ret;
}

void porch__req_done(struct porch__req *req)
{
    free(req->resp);
    req->resp = NULL;
    req->resp_len = 0;
}

int porch_client_server_fingerprint(const uint8_t sign_pk[PORCH_SIGN_PK_BYTES],
                                    char out[PORCH_FINGERPRINT_STR_BYTES])
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    static const char domain[] = "porchlight/v1/server-fingerprint";
    crypto_generichash_state st;
    uint8_t d[20];
    size_t o = 0;

    if (!sign_pk || !out)
        return PORCH_ERR_INVALID_ARG;
    crypto_generichash_init(&st, NULL, 0, sizeof d);
    crypto_generichash_update(&st, (const uint8_t *)domain, sizeof domain - 1);
    crypto_generichash_update(&st, sign_pk, PORCH_SIGN_PK_BYTES);
    crypto_generichash_final(&st, d, sizeof d);
    for (unsigned i = 0; i < 32; i++) { /* 160 bits = 32 base32 digits */
        unsigned bit = i * 5, v = 0;
        for (unsigned b = 0; b < 5; b++, bit++)
            v = v << 1 | ((d[bit / 8] >> (7 - bit % 8)) & 1u);
        if (i && i % 4 == 0)
            out[o++] = '-';
        out[o++] = alphabet[v];
    }
    out[o] = '\0';
    return PORCH_OK;
}

int porch_client_server_info(porch_client *c, uint8_t sign_pk[PORCH_SIGN_PK_BYTES],
                             char *version, size_t version_cap)
{
    struct porch__req req = {.method = "GET", .path = "/v1/server"};
    uint8_t pk[32];
    int ret;

    if (sign_pk)
        memset(sign_pk, 0, 32);
    if (!c || !sign_pk)
        return PORCH_ERR_INVALID_ARG;
    if ((ret = porch__call(c, &req)) == PORCH_OK &&
        (ret = porch__json_server_info(req.resp, req.resp_len, pk, version, version_cap)) ==
            PORCH_OK) {
        if (c->have_server_pk && sodium_memcmp(pk, c->server_pk, 32) != 0)
            ret = PORCH_ERR_SERVER_KEY;
        else
            memcpy(sign_pk, pk, 32);
    }
    porch__req_done(&req);
    return ret;
}

/* The message of SERVER.md: domain NUL | server pk | household | device pk | challenge. */
static int auth_sign(const porch_client *c, const uint8_t challenge[32], uint8_t sig[64])
{
    uint8_t msg[sizeof auth_domain + 32 + 16 + 32 + 32], *p = msg;
    memcpy(p, auth_domain, sizeof auth_domain);
    p += sizeof auth_domain;
    memcpy(p, c->server_pk, 32);
    memcpy(p + 32, c->household, 16);
    memcpy(p + 48, porch_device_public_of(c->device)->sign_pk, 32);
    memcpy(p + 80, challenge, 32);
    return porch_device_sign(c->device, msg, sizeof msg, sig);
}

static int post_json(porch_client *c, struct porch__req *req, const char *path,
                     const char *body)
{
    snprintf(req->path, sizeof req->path, "%s", path);
    req->method = "POST";
    req->body = (const uint8_t *)body;
    req->body_len = strlen(body);
    req->content_type = "application/json";
    return porch__call(c, req);
}

static int request_challenge(porch_client *c, const char *dev_hex, uint8_t challenge[32])
{
    struct porch__req req = {0};
    char body[256];
    int ret;
    snprintf(body, sizeof body, "{\"household\":\"%s\",\"device\":\"%s\"}", c->hh_hex,
             dev_hex);
    if ((ret = post_json(c, &req, "/v1/auth/challenge", body)) == PORCH_OK)
        ret = porch__json_challenge(req.resp, req.resp_len, challenge);
    porch__req_done(&req);
    return ret;
}

int porch_client_login(porch_client *c, porch_role *role)
{
    struct porch__req req = {0};
    char dev_hex[65], ch_hex[65], sig_hex[129], body[512];
    uint8_t challenge[32], sig[64];
    porch_role got = PORCH_ROLE_MEMBER;
    int ret;

    if (role)
        *role = 0;
    if (!c || !c->device || !c->have_household || !c->have_server_pk)
        return PORCH_ERR_INVALID_ARG;
    porch_client_logout(c);
    porch__hex_encode(dev_hex, sizeof dev_hex, porch_device_public_of(c->device)->sign_pk, 32);
    if ((ret = request_challenge(c, dev_hex, challenge)) != PORCH_OK ||
        (ret = auth_sign(c, challenge, sig)) != PORCH_OK)
        return ret;
    porch__hex_encode(ch_hex, sizeof ch_hex, challenge, 32);
    porch__hex_encode(sig_hex, sizeof sig_hex, sig, 64);
    snprintf(body, sizeof body,
             "{\"household\":\"%s\",\"device\":\"%s\",\"challenge\":\"%s\",\"signature\":\"%s\"}",
             c->hh_hex, dev_hex, ch_hex, sig_hex);
    if ((ret = post_json(c, &req, "/v1/auth/token", body)) != PORCH_OK)
        goto out;
    ret = PORCH_ERR_NOMEM;
    if (!(c->token = sodium_malloc(TOKEN_MAX)))
        goto out;
    if ((ret = porch__json_token(req.resp, req.resp_len, c->token, TOKEN_MAX, &got)) !=
        PORCH_OK) {
        porch_client_logout(c);
        goto out;
    }
    if (role)
        *role = got;
out:
    if (req.resp)
        sodium_memzero(req.resp, req.resp_len);
    porch__req_done(&req);
    return ret;
}

int porch_client_household_create(porch_client *c, const uint8_t *roster, size_t len,
                                  uint8_t household[PORCH_HOUSEHOLD_ID_BYTES], uint64_t *seq)
{
    struct porch__req req = {.method = "POST", .path = "/v1/households"};
    uint8_t hh[16];
    uint64_t s = 0;
    int ret;

    if (!c || !roster)
        return PORCH_ERR_INVALID_ARG;
    req.body = roster;
    req.body_len = len;
    req.content_type = "application/octet-stream";
    if ((ret = porch__call(c, &req)) == PORCH_OK &&
        (ret = porch__json_household(req.resp, req.resp_len, hh, &s)) == PORCH_OK) {
        if (household)
            memcpy(household, hh, 16);
        if (seq)
            *seq = s;
    }
    porch__req_done(&req);
    return ret;
}

int porch_client_roster_get(porch_client *c, uint8_t **out, size_t *out_len)
{
    struct porch__req req = {.method = "GET", .auth = 1, .max_response = 1u << 20};
    int ret;

    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if (!c || !out || !out_len || !c->have_household)
        return PORCH_ERR_INVALID_ARG;
    snprintf(req.path, sizeof req.path, "/v1/households/%s/roster", c->hh_hex);
    if ((ret = porch__call(c, &req)) == PORCH_OK) {
        *out = req.resp ? req.resp : calloc(1, 1);
        *out_len = req.resp_len;
        req.resp = NULL;
        if (!*out)
            ret = PORCH_ERR_NOMEM;
    }
    porch__req_done(&req);
    return ret;
}

int porch_client_roster_put(porch_client *c, const uint8_t *roster, size_t len, uint64_t *seq)
{
    struct porch__req req = {.method = "PUT", .auth = 1};
    uint64_t s = 0;
    int ret;

    if (!c || !roster || !c->have_household)
        return PORCH_ERR_INVALID_ARG;
    snprintf(req.path, sizeof req.path, "/v1/households/%s/roster", c->hh_hex);
    req.body = roster;
    req.body_len = len;
    req.content_type = "application/octet-stream";
    if ((ret = porch__call(c, &req)) == PORCH_OK &&
        (ret = porch__json_seq(req.resp, req.resp_len, &s)) == PORCH_OK && seq)
        *seq = s;
    porch__req_done(&req);
    return ret;
}
