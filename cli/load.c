/*
 * load.c: key files, pins, verified rosters and roster state files.
 *
 * Trust: a roster is only ever used after porch_roster_load() has verified
 * its whole chain from the pinned owner key AND the genesis device matches
 * the pin the user gave (a .pub/.key file: same keys; a fingerprint: same
 * fingerprint). The genesis signer's key is peeked from the file only to
 * have a candidate for the library to verify against; it is never trusted
 * by itself.
 *
 * Roster layout: docs/FORMAT.md sections 3.1 and 3.2.
 *
 * State file (text, written atomically, mode 0600):
 *   porch-roster-state v1\n seq N\n hash <64 hex digits>\n
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "porchlight/error.h"

#include "common.h"

#define STATE_MAGIC "porch-roster-state v1\n"

void cli_fingerprint(const porch_device_public *pub, char out[PORCH_FINGERPRINT_STR_BYTES])
{
    if (porch_fingerprint(pub, out) != PORCH_OK)
        snprintf(out, PORCH_FINGERPRINT_STR_BYTES, "(no fingerprint)");
}

int cli_load_public(const char *path, porch_device_public *out)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int ret, rc = cli_read(path, CLI_KEY_FILE_MAX, "key file", &buf, &len);

    if (rc != PORCH_EXIT_OK)
        return rc;
    ret = porch_public_decode(out, buf, len);
    if (ret == PORCH_ERR_BAD_MAGIC)
        ret = porch_device_file_public(out, buf, len);
    free(buf);
    if (ret == PORCH_ERR_BAD_MAGIC)
        return cli_failf(PORCH_EXIT_BAD, path,
                         "not a porch public (.pub) or secret (.key) key file [%s]",
                         porch_errname(ret));
    return ret == PORCH_OK ? PORCH_EXIT_OK : cli_fail(ret, path, "key file");
}

int cli_load_secret(const char *path, const char *passfile, porch_device_secret **out)
{
    struct cli_pass pass = {0};
    porch_device_public pub;
    uint8_t *buf = NULL;
    size_t len = 0;
    int ret, rc = cli_read(path, CLI_KEY_FILE_MAX, "secret key file", &buf, &len);

    *out = NULL;
    if (rc != PORCH_EXIT_OK)
        return rc;
    /* Check what the file is before asking anyone for a passphrase. */
    if ((ret = porch_device_file_public(&pub, buf, len)) != PORCH_OK) {
        free(buf);
        return cli_fail(ret, path, "secret key file");
    }
    if ((rc = cli_pass_get(&pass, passfile, 0)) == PORCH_EXIT_OK) {
        ret = porch_device_unseal(out, buf, len, pass.text, pass.len);
        rc = ret == PORCH_OK ? PORCH_EXIT_OK
                             : cli_fail(ret, path, "secret key file of '%s'", pub.name);
    }
    cli_pass_free(&pass);
    free(buf);
    return rc;
}

/* ---- pins ---- */

struct pin {
    int is_key;                        /* 1: pub holds the owner's keys */
    porch_device_public pub;
    const char *text;                  /* fingerprint text when !is_key */
};

/* 32 base32 digits, dashes and case ignored (porch_fingerprint's format). */
static int looks_like_fingerprint(const char *s)
{
    size_t digits = 0;

    for (; *s; s++) {
        int c = tolower((unsigned char)*s);
        if (c == '-')
            continue;
        if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')))
            return 0;
        digits++;
    }
    return digits == 32;
}

static int pin_parse(const char *arg, struct pin *pin)
{
    memset(pin, 0, sizeof *pin);
    if (cli_exists(arg)) {
        pin->is_key = 1;
        return cli_load_public(arg, &pin->pub);
    }
    if (!looks_like_fingerprint(arg))
        return cli_failf(PORCH_EXIT_USAGE, arg,
                         "--pin: neither an existing key file nor a fingerprint "
                         "(32 base32 digits, e.g. as printed by 'porch fingerprint')");
    pin->text = arg;
    return PORCH_EXIT_OK;
}

/* The device the genesis entry made owner: the only viewer at entry 0. */
static int genesis_device(const porch_roster *r, porch_device_public *out)
{
    size_t n = 0;
    int ret = porch_roster_viewers_at(r, 0, "genesis", out, 1, &n);

    return ret != PORCH_OK ? ret : n == 1 ? PORCH_OK : PORCH_ERR_ROSTER_PIN;
}

static int pin_check(const porch_roster *r, const struct pin *pin, const char *path)
{
    porch_device_public g;
    char fpr[PORCH_FINGERPRINT_STR_BYTES];
    int ret = genesis_device(r, &g);

    if (ret != PORCH_OK)
        return cli_fail(ret, path, "entry 0 (genesis)");
    if (pin->is_key ? porch_public_same_keys(&g, &pin->pub)
                    : porch_fingerprint_matches(&g, pin->text) == 1)
        return PORCH_EXIT_OK;
    cli_fingerprint(&g, fpr);
    return cli_fail(PORCH_ERR_ROSTER_PIN, path,
                    "entry 0 (genesis by '%s', fingerprint %s, not the pinned owner)", g.name,
                    fpr);
}

/* ---- state files ---- */

static int state_parse(const char *text, porch_roster_head *head)
{
    char hex[65] = "";
    uint64_t seq = 0;
    int used = -1;
    size_t mlen = strlen(STATE_MAGIC);

    if (strncmp(text, STATE_MAGIC, mlen) != 0)
        return PORCH_ERR_BAD_MAGIC;
    if (sscanf(text + mlen, "seq %" SCNu64 "\nhash %64[0-9a-f]\n%n", &seq, hex, &used) != 2 ||
        used < 0 || text[mlen + (size_t)used] != '\0' || strlen(hex) != 64)
        return PORCH_ERR_MALFORMED;
    if (sodium_hex2bin(head->hash, sizeof head->hash, hex, 64, NULL, NULL, NULL) != 0)
        return PORCH_ERR_MALFORMED;
    head->seq = seq;
    return PORCH_OK;
}

/* Reads the state file; *have = 0 when it does not exist yet (first use). */
static int state_load(const char *path, porch_roster_head *head, int *have)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    char text[CLI_STATE_MAX + 1];
    int ret, rc;

    *have = 0;
    if (!cli_exists(path))
        return PORCH_EXIT_OK;
    if ((rc = cli_read(path, CLI_STATE_MAX, "roster state file", &buf, &len)) != PORCH_EXIT_OK)
        return rc;
    memcpy(text, buf, len);
    text[len] = '\0';
    free(buf);
    if (strlen(text) != len || (ret = state_parse(text, head)) != PORCH_OK)
        return cli_failf(PORCH_EXIT_BAD, path, "roster state file: not '%s' + seq + hash [%s]",
                         "porch-roster-state v1", porch_errname(PORCH_ERR_MALFORMED));
    *have = 1;
    return PORCH_EXIT_OK;
}

int cli_state_save(const char *state, const porch_roster *r)
{
    porch_roster_head head;
    char hex[2 * PORCH_HASH_BYTES + 1], text[CLI_STATE_MAX];
    int n;

    porch_roster_get_head(r, &head);
    cli_hex(hex, head.hash, sizeof head.hash);
    n = snprintf(text, sizeof text, "%sseq %" PRIu64 "\nhash %s\n", STATE_MAGIC, head.seq, hex);
    return cli_write(state, (const uint8_t *)text, (size_t)n, 0600);
}

/* ---- rosters ---- */

static void genesis_candidate(const uint8_t *buf, size_t len, const struct pin *pin,
                              uint8_t out[PORCH_SIGN_PK_BYTES])
{
    memset(out, 0, PORCH_SIGN_PK_BYTES);
    if (pin->is_key)
        memcpy(out, pin->pub.sign_pk, PORCH_SIGN_PK_BYTES);
    else
        (void)porch_roster_peek_owner(buf, len, out);
    /* On failure out stays zero; the load then reports what is wrong. */
}

static int roster_verify(const char *path, const uint8_t *buf, size_t len,
                         const struct pin *pin, const porch_roster_head *seen,
                         porch_roster **out)
{
    uint8_t owner[PORCH_SIGN_PK_BYTES];
    uint64_t bad = UINT64_MAX;
    int ret;

    genesis_candidate(buf, len, pin, owner);
    ret = porch_roster_load(out, buf, len, owner, seen, &bad);
    if (ret == PORCH_ERR_ROSTER_ROLLBACK || ret == PORCH_ERR_ROSTER_FORK)
        return cli_fail(ret, path, "roster head (state file has seq %" PRIu64 ")", seen->seq);
    if (ret != PORCH_OK && bad != UINT64_MAX)
        return cli_fail(ret, path, "entry %" PRIu64, bad);
    if (ret != PORCH_OK)
        return cli_fail(ret, path, "roster");
    return pin_check(*out, pin, path);
}

int cli_roster_load(const struct cli_roster_args *a, porch_roster **out)
{
    struct pin pin;
    porch_roster_head seen;
    uint8_t *buf = NULL;
    size_t len = 0;
    int have_seen = 0, rc;

    *out = NULL;
    if ((rc = pin_parse(a->pin, &pin)) != PORCH_EXIT_OK)
        return rc;
    if (a->state && (rc = state_load(a->state, &seen, &have_seen)) != PORCH_EXIT_OK)
        return rc;
    if ((rc = cli_read(a->roster, CLI_ROSTER_MAX, "roster", &buf, &len)) != PORCH_EXIT_OK)
        return rc;
    rc = roster_verify(a->roster, buf, len, &pin, have_seen ? &seen : NULL, out);
    free(buf);
    if (rc == PORCH_EXIT_OK && a->state)
        rc = cli_state_save(a->state, *out);
    if (rc != PORCH_EXIT_OK) {
        porch_roster_free(*out);
        *out = NULL;
    }
    return rc;
}

int cli_roster_save(const porch_roster *r, const char *path, const char *state)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int ret = porch_roster_encode(r, &buf, &len), rc;

    if (ret != PORCH_OK)
        return cli_fail(ret, path, "cannot encode roster");
    rc = cli_write(path, buf, len, 0644);
    free(buf);
    if (rc == PORCH_EXIT_OK && state)
        rc = cli_state_save(state, r);
    return rc;
}
