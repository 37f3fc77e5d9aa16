/*
 * cmd_revoke.c: `porch revoke`: end a support grant now (admin). The server
 * deletes the grant's shares at once; the support device can no longer get
 * a key for any clip of it.
 */
#include <stdio.h>

#include "porchlight/error.h"

#include "common.h"
#include "server.h"

int cmd_revoke(int argc, char **argv)
{
    struct cli_session_args sa = {0};
    const char *grant = NULL;
    const struct cli_opt opts[] = {
        CLI_OPT_SESSION(&sa),
        {"grant", "ID", "grant id (32 hex digits, as printed by 'porch grant')", CLI_REQ, &grant,
         NULL},
    };
    const struct cli_spec spec = {"revoke", "Revoke a support grant.", NULL, NULL, opts,
        sizeof opts / sizeof opts[0], NULL};
    struct cli_session ss = {0};
    uint8_t id[16];
    int ret, rc = cli_parse(&spec, argc, argv);

    if (rc != CLI_CONTINUE)
        return rc;
    if ((rc = cli_parse_hex(grant, id, 16, "revoke --grant")) != PORCH_EXIT_OK)
        return rc;
    if ((rc = cli_session_open(&ss, sa.state, sa.key, sa.passfile, sa.ca)) == PORCH_EXIT_OK) {
        if ((ret = porch_client_grant_revoke(ss.c, id)) != PORCH_OK)
            rc = cli_server_fail(ret, ss.c, "DELETE grant");
        else
            printf("grant %s revoked\n", grant);
    }
    cli_session_close(&ss);
    return rc;
}
