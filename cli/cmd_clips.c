/*
 * cmd_clips.c: `porch clips`: list the clips the server holds that this
 * device may see, by camera and time range, following the pages. Prints what
 * the server knows (ids, camera, times, sizes); nothing is read or logged.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "porchlight/error.h"

#include "common.h"
#include "server.h"

static void print_clip(const porch_clip_entry *e)
{
    char id[33], when[40];
    cli_hex(id, e->clip_id, 16);
    cli_time_str(when, sizeof when, e->start_us);
    printf("%s  %-16s %s  %" PRIu64 " bytes  %" PRIu64 " records\n", id, e->camera, when,
           e->size, e->records);
}

int cmd_clips(int argc, char **argv)
{
    struct cli_session_args sa = {0};
    const char *camera = NULL, *from = NULL, *to = NULL;
    const struct cli_opt opts[] = {
        CLI_OPT_SESSION(&sa),
        {"camera", "ID", "only this camera", 0, &camera, NULL},
        {"from", "US", "start time at or after (Unix microseconds)", 0, &from, NULL},
        {"to", "US", "start time before (Unix microseconds)", 0, &to, NULL},
    };
    const struct cli_spec spec = {"clips", "List clips on the server.", NULL, NULL, opts,
        sizeof opts / sizeof opts[0], NULL};
    struct cli_session ss = {0};
    porch_clip_query q = {0};
    porch_clip_list l = {0};
    uint8_t after[16];
    size_t total = 0;
    int ret, rc = cli_parse(&spec, argc, argv);

    if (rc != CLI_CONTINUE)
        return rc;
    q.camera = camera;
    if ((from && (rc = cli_parse_u64(from, &q.from_us, "clips --from")) != PORCH_EXIT_OK) ||
        (to && (rc = cli_parse_u64(to, &q.to_us, "clips --to")) != PORCH_EXIT_OK))
        return rc;
    if (camera && !porch_camera_id_valid(camera))
        return cli_usage("clips", "--camera: not a camera id");
    if ((rc = cli_session_open(&ss, sa.state, sa.key, sa.passfile, sa.ca)) != PORCH_EXIT_OK)
        goto out;
    for (;;) {
        if ((ret = porch_client_clips_list(ss.c, &q, &l)) != PORCH_OK) {
            rc = cli_server_fail(ret, ss.c, "list clips");
            goto out;
        }
        for (size_t i = 0; i < l.n; i++)
            print_clip(&l.items[i]);
        total += l.n;
        int more = l.has_next && l.n;
        memcpy(after, l.next, 16);
        porch_clip_list_free(&l);
        if (!more)
            break;
        q.after = after;
    }
    printf("%zu clips\n", total);
out:
    cli_session_close(&ss);
    return rc;
}
