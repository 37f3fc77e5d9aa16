/*
 * site.h: what the benchmark prepares on porchlight-server through its real
 * API (docs/SERVER.md): households from rosters signed by generated owners,
 * tokens through the challenge/token flow, sealed clips from the core
 * library's writer.
 */
#ifndef PORCH_BENCH_SITE_H
#define PORCH_BENCH_SITE_H

#include <stddef.h>
#include <stdint.h>

#include "loadgen.h"
#include "porchlight/clip.h"
#include "porchlight/identity.h"
#include "porchlight/roster.h"

#define SITE_TOKEN_MAX 128

typedef struct site_household {
    porch_device_secret *owner;
    porch_device_secret **hubs, **members;
    size_t n_hubs, n_members;
    porch_roster *roster;
    char id[2 * PORCH_HOUSEHOLD_ID_BYTES + 1];
} site_household;

/* GET /v1/server: the key bound into auth signatures. 0 or -1. */
int site_server_key(lg_conn *c, uint8_t pk[PORCH_SIGN_PK_BYTES]);

/* Generates the devices and the roster (owner admin of every camera, hubs
 * and members of every camera). 0 or -1. */
int site_household_make(site_household *h, size_t n_hubs, size_t n_members);
void site_household_free(site_household *h);

/* POST /v1/households with the roster; waits out 429 (Retry-After) up to
 * 120 s, adding the wait to *waited_s. 0 or -1 (message on stderr). */
int site_household_create(lg_conn *c, site_household *h, double *waited_s);

/* Challenge, signature, token. token: SITE_TOKEN_MAX bytes. 0 or -1. */
int site_auth(lg_conn *c, const uint8_t server_pk[PORCH_SIGN_PK_BYTES], const char *household,
              const porch_device_secret *dev, char *token);

/* A sealed clip of about target bytes (1 KiB INIT, 256 KiB MEDIA records,
 * final META). Ownership: *bytes malloc()ed, freed by the caller. */
typedef struct site_clip {
    uint8_t *bytes;
    size_t len;
    char id[2 * PORCH_CLIP_ID_BYTES + 1];
    char sha256[65];
    uint64_t start_us;
} site_clip;
int site_clip_seal(site_clip *out, const porch_device_secret *hub, const porch_roster *roster,
                   const char *camera, uint64_t start_us, size_t target);
void site_clip_free(site_clip *c);

void site_hex(char *out, const uint8_t *in, size_t len);

#endif
