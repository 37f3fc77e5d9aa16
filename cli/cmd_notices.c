/*
 * cmd_notices.c: `porch notices`: list sealed notices, or follow them live.
 *
 * Each notice is opened with this device's key and checked against the
 * roster verified from the pin; a notice that does not open is reported and
 * makes the exit status 1, the others are still printed. With --follow the
 * server's event stream is read until --count notices arrived (or forever).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "porchlight/error.h"
#include "porchlight/notice.h"

#include "common.h"
#include "server.h"

struct notices_ctx {
    const porch_device_secret *dev;
    const porch_roster *r;
    uint64_t count, seen;
    int bad;
};

static int show(void *ctx, const porch_notice_item *n)
{
    struct notices_ctx *x = ctx;
    porch_clip_meta *m = NULL;
    char when[40], ref[33], reason[PORCH_META_MAX_REASON + 1];
    int ret = porch_notice_open(&m, NULL, n->data, n->len, x->dev, x->r);

    cli_time_str(when, sizeof when, n->time_us);
    if (ret != PORCH_OK) {
        cli_fail(ret, "notice", "seq %" PRIu64, n->seq);
        x->bad = 1;
    } else {
        cli_hex(ref, m->clip_ref, 16);
        cli_printable(reason, sizeof reason, m->reason);
        printf("%" PRIu64 "  %-16s %s  clip %s  %zu labels  %s\n", n->seq, n->camera, when, ref,
               m->n_labels, reason);
        fflush(stdout);
    }
    porch_meta_free(m);
    return x->count && ++x->seen >= x->count;
}

static int list_all(struct cli_session *ss, struct notices_ctx *x, uint64_t after)
{
    porch_notice_list l = {0};
    int ret;
    for (;;) {
        if ((ret = porch_client_notices_list(ss->c, after, 0, &l)) != PORCH_OK)
            return cli_server_fail(ret, ss->c, "list notices");
        int stop = 0;
        for (size_t i = 0; i < l.n && !stop; i++)
            stop = show(x, &l.items[i]);
        int more = l.has_next && l.n && !stop;
        after = l.next;
        porch_notice_list_free(&l);
        if (!more)
            return PORCH_EXIT_OK;
    }
}

int cmd_notices(int argc, char **argv)
{
    struct cli_session_args sa = {0};
    struct cli_roster_args ra = {0};
    const char *after_s = NULL, *count_s = NULL;
    int follow = 0;
    const struct cli_opt opts[] = {
        CLI_OPT_SESSION(&sa),
        CLI_OPT_ROSTER(&ra, CLI_REQ), CLI_OPT_PIN(&ra), CLI_OPT_STATE(&ra),
        {"after", "SEQ", "only notices after this sequence number", 0, &after_s, NULL},
        {"follow", NULL, "follow the live stream (Server-Sent Events)", 0, NULL, &follow},
        {"count", "N", "stop after N notices", 0, &count_s, NULL},
    };
    const struct cli_spec spec = {"notices", "List or follow sealed event notices.", NULL, NULL,
        opts, sizeof opts / sizeof opts[0], NULL};
    struct cli_session ss = {0};
    struct notices_ctx x = {0};
    porch_roster *r = NULL;
    uint64_t after = 0;
    int ret, rc = cli_parse(&spec, argc, argv);

    if (rc != CLI_CONTINUE)
        return rc;
    if ((after_s && (rc = cli_parse_u64(after_s, &after, "notices --after")) != PORCH_EXIT_OK) ||
        (count_s && (rc = cli_parse_u64(count_s, &x.count, "notices --count")) != PORCH_EXIT_OK))
        return rc;
    if ((rc = cli_roster_load(&ra, &r)) != PORCH_EXIT_OK ||
        (rc = cli_session_open(&ss, sa.state, sa.key, sa.passfile, sa.ca)) != PORCH_EXIT_OK)
        goto out;
    x.dev = ss.dev;
    x.r = r;
    if (!follow)
        rc = list_all(&ss, &x, after);
    else if ((ret = porch_client_notices_follow(ss.c, after, show, &x)) != PORCH_OK)
        rc = cli_server_fail(ret, ss.c, "notice stream");
    if (rc == PORCH_EXIT_OK && x.bad)
        rc = PORCH_EXIT_BAD;
out:
    cli_session_close(&ss);
    porch_roster_free(r);
    return rc;
}
