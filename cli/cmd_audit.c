/*
 * cmd_audit.c: `porch audit`: verify the household's access log and list
 * who read what, and when.
 *
 * The monitor (the last checkpoint verified) lives in the server state file.
 * The new checkpoint must be signed by the pinned server key and consistent
 * with it (a rewritten, truncated or forked log fails here), and every entry
 * listed must come with an inclusion proof in the new tree. The state file
 * is updated only when the whole audit verified. Exit 1 on any proof failure.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "porchlight/error.h"

#include "common.h"
#include "server.h"

static const char *kind_name(porch_log_kind k)
{
    static const char *const names[] = {"?", "clip", "fragment", "notice", "roster", "grant",
                                        "live"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

static int print_entry(void *ctx, uint64_t index, const porch_log_entry *e)
{
    const porch_roster *r = ctx;
    const porch_member *m = porch_roster_find(r, e->reader_pk);
    char when[40], obj[33], who[PORCH_NAME_MAX + 32];

    cli_time_str(when, sizeof when, e->time_us);
    cli_hex(obj, e->object_id, 16);
    if (m)
        snprintf(who, sizeof who, "%s (%s)", m->device.name, porch_role_name(m->role));
    else
        cli_hex(who, e->reader_pk, 16); /* no longer in the roster: key prefix */
    printf("%" PRIu64 "  %s  %-8s %s  by %s\n", index, when, kind_name(e->kind), obj, who);
    return 0;
}

int cmd_audit(int argc, char **argv)
{
    struct cli_session_args sa = {0};
    struct cli_roster_args ra = {0};
    const struct cli_opt opts[] = {
        CLI_OPT_SESSION(&sa),
        CLI_OPT_ROSTER(&ra, CLI_REQ), CLI_OPT_PIN(&ra), CLI_OPT_STATE(&ra),
    };
    const struct cli_spec spec = {"audit", "Verify the access log and list every read.", NULL,
        NULL, opts, sizeof opts / sizeof opts[0],
        "Exit status 1 if the log is inconsistent with what this device saw before."};
    struct cli_session ss = {0};
    porch_roster *r = NULL;
    int ret, rc = cli_parse(&spec, argc, argv);

    if (rc != CLI_CONTINUE)
        return rc;
    if ((rc = cli_roster_load(&ra, &r)) != PORCH_EXIT_OK ||
        (rc = cli_session_open(&ss, sa.state, sa.key, sa.passfile, sa.ca)) != PORCH_EXIT_OK)
        goto out;
    uint64_t before = ss.s.monitor.have_head ? ss.s.monitor.head.tree_size : 0;
    if ((ret = porch_client_audit(ss.c, &ss.s.monitor, 0, print_entry, r)) != PORCH_OK) {
        rc = ret == PORCH_ERR_HTTP || ret == PORCH_ERR_SERVER
                 ? cli_server_fail(ret, ss.c, "audit")
                 : cli_fail(ret, "access log", "audit (tree size held: %" PRIu64 ")", before);
        if (rc == PORCH_EXIT_USAGE)
            rc = PORCH_EXIT_BAD;
        goto out;
    }
    printf("access log verified: %" PRIu64 " entries (was %" PRIu64 "), consistent with the "
           "last checkpoint held\n", ss.s.monitor.head.tree_size, before);
    rc = cli_server_save(sa.state, &ss.s);
out:
    cli_session_close(&ss);
    porch_roster_free(r);
    return rc;
}
