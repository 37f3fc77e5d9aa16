/*
 * cmd_pair.c: `porch pair`: trust a server.
 *
 * Fetches the server's signing key, prints its fingerprint (to compare with
 * what the operator publishes; with --expect the comparison is made here) and
 * pins it in the server state file with the household of the roster
 * (verified from --pin). With --create the household is created on the
 * server from that roster. Re-pairing with another key is refused unless
 * --force: a changed key is what a replaced server looks like.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "porchlight/error.h"

#include "common.h"
#include "server.h"

struct pair_args {
    struct cli_roster_args r;
    const char *url, *state, *expect, *ca;
    int create, force;
};

static int check_repair(const struct pair_args *a, const struct cli_server *s)
{
    struct cli_server old;
    if (!cli_exists(a->state))
        return PORCH_EXIT_OK;
    if (cli_server_load(a->state, &old) != PORCH_EXIT_OK)
        return a->force ? PORCH_EXIT_OK : PORCH_EXIT_BAD;
    if (sodium_memcmp(old.server_pk, s->server_pk, 32) != 0 && !a->force)
        return cli_fail(PORCH_ERR_SERVER_KEY, a->state,
                        "already paired with another server key (use --force to re-pair)");
    return PORCH_EXIT_OK;
}

static int pair_run(const struct pair_args *a, const porch_roster *r)
{
    struct cli_server s = {0};
    porch_client *c = NULL;
    char fpr[PORCH_FINGERPRINT_STR_BYTES], version[32], hh[33];
    int ret, rc;

    if (strlen(a->url) >= sizeof s.url)
        return cli_usage("pair", "--server: URL too long");
    snprintf(s.url, sizeof s.url, "%s", a->url);
    if ((rc = cli_client_open(&s, NULL, a->ca, &c)) != PORCH_EXIT_OK)
        return rc;
    if ((ret = porch_client_server_info(c, s.server_pk, version, sizeof version)) != PORCH_OK) {
        rc = cli_server_fail(ret, c, "GET /v1/server");
        goto out;
    }
    s.have_server_pk = 1;
    porch_client_server_fingerprint(s.server_pk, fpr);
    printf("server %s (version %s)\nserver key fingerprint: %s\n", s.url, version, fpr);
    if (a->expect && !cli_fpr_equal(fpr, a->expect)) {
        rc = cli_fail(PORCH_ERR_SERVER_KEY, a->url, "fingerprint is not the expected %s",
                      a->expect);
        goto out;
    }
    memcpy(s.household, porch_roster_household(r), 16);
    s.have_household = 1;
    porch_log_monitor_init(&s.monitor, s.household, s.server_pk);
    if ((rc = check_repair(a, &s)) != PORCH_EXIT_OK)
        goto out;
    if (a->create) {
        uint8_t *enc = NULL, got[16];
        size_t len = 0;
        uint64_t seq = 0;
        if ((ret = porch_roster_encode(r, &enc, &len)) == PORCH_OK)
            ret = porch_client_household_create(c, enc, len, got, &seq);
        free(enc);
        if (ret != PORCH_OK) {
            rc = cli_server_fail(ret, c, "POST /v1/households");
            goto out;
        }
        if (memcmp(got, s.household, 16) != 0) {
            rc = cli_fail(PORCH_ERR_BAD_RESPONSE, a->url, "server created another household");
            goto out;
        }
        printf("household created on the server (roster entry %llu)\n",
               (unsigned long long)seq);
    }
    if ((rc = cli_server_save(a->state, &s)) == PORCH_EXIT_OK) {
        cli_hex(hh, s.household, 16);
        printf("paired: household %s, state in %s\n", hh, a->state);
    }
out:
    porch_client_free(c);
    return rc;
}

int cmd_pair(int argc, char **argv)
{
    struct pair_args a = {0};
    const struct cli_opt opts[] = {
        {"server", "URL", "server base URL (http://HOST:PORT or https://...)", CLI_REQ, &a.url,
         NULL},
        CLI_OPT_SERVER_STATE(&a.state),
        CLI_OPT_ROSTER(&a.r, CLI_REQ), CLI_OPT_PIN(&a.r), CLI_OPT_STATE(&a.r),
        {"expect", "FPR", "the server key fingerprint you were given; refuse any other", 0,
         &a.expect, NULL},
        {"create", NULL, "create the household on the server from the roster", 0, NULL,
         &a.create},
        {"force", NULL, "re-pair even if the state file pins another server key", 0, NULL,
         &a.force},
        CLI_OPT_CA(&a.ca),
    };
    const struct cli_spec spec = {"pair", "Pin a server's key (and create the household).",
        NULL, NULL, opts, sizeof opts / sizeof opts[0],
        "Compare the printed fingerprint with the one the server's operator publishes."};
    porch_roster *r = NULL;
    int rc = cli_parse(&spec, argc, argv);

    if (rc != CLI_CONTINUE)
        return rc;
    if ((rc = cli_roster_load(&a.r, &r)) == PORCH_EXIT_OK)
        rc = pair_run(&a, r);
    porch_roster_free(r);
    return rc;
}
