/*
 * cmd_push_roster.c: `porch push-roster`: upload the verified roster to the
 * server (admin). The server accepts it only if it verifies from the owner
 * key it pinned and extends the head it holds.
 */
#include <stdio.h>
#include <stdlib.h>

#include "porchlight/error.h"

#include "common.h"
#include "server.h"

int cmd_push_roster(int argc, char **argv)
{
    struct cli_session_args sa = {0};
    struct cli_roster_args ra = {0};
    const struct cli_opt opts[] = {
        CLI_OPT_SESSION(&sa),
        CLI_OPT_ROSTER(&ra, CLI_REQ), CLI_OPT_PIN(&ra), CLI_OPT_STATE(&ra),
    };
    const struct cli_spec spec = {"push-roster", "Upload the household roster (admin).", NULL,
        NULL, opts, sizeof opts / sizeof opts[0], NULL};
    struct cli_session ss = {0};
    porch_roster *r = NULL;
    uint8_t *enc = NULL;
    size_t len = 0;
    uint64_t seq = 0;
    int ret, rc = cli_parse(&spec, argc, argv);

    if (rc != CLI_CONTINUE)
        return rc;
    if ((rc = cli_roster_load(&ra, &r)) != PORCH_EXIT_OK ||
        (rc = cli_session_open(&ss, sa.state, sa.key, sa.passfile, sa.ca)) != PORCH_EXIT_OK)
        goto out;
    if ((ret = porch_roster_encode(r, &enc, &len)) != PORCH_OK) {
        rc = cli_fail(ret, ra.roster, "encode");
        goto out;
    }
    if ((ret = porch_client_roster_put(ss.c, enc, len, &seq)) != PORCH_OK) {
        rc = cli_server_fail(ret, ss.c, "PUT roster");
        goto out;
    }
    printf("roster pushed: server holds entries 0..%llu\n", (unsigned long long)seq);
out:
    free(enc);
    porch_roster_free(r);
    cli_session_close(&ss);
    return rc;
}
