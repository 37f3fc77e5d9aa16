/*
 * cmd_fetch.c: `porch fetch`: download a sealed clip, verify it, and
 * optionally open it into an MP4.
 *
 * The clip is written as it came (sealed, mode 0600) and then checked like
 * `porch verify`: header signature, header against the roster verified from
 * the pin, the clip id asked for, the framing of every record. With --mp4 it
 * is opened like `porch open`, with this device's wrap, or, for a support
 * device, with the share the server holds for it under a grant. The server
 * logs the read before it serves a byte.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"

#include "common.h"
#include "server.h"

struct fetch_args {
    struct cli_session_args sa;
    struct cli_roster_args r;
    const char *clip, *out, *mp4;
};

/* This device's key for the clip: its wrap, else a share under a grant. */
static int clip_key(struct cli_session *ss, const struct cli_clip *c, porch_clip_key **key)
{
    uint8_t share[PORCH_CLIP_SHARE_BYTES];
    int ret = porch_clip_key_unwrap(key, c->bytes, c->len, ss->dev);

    if (ret != PORCH_ERR_NOT_RECIPIENT)
        return ret == PORCH_OK ? PORCH_EXIT_OK : cli_fail(ret, c->path, "key wraps");
    if ((ret = porch_client_share_get(ss->c, c->info.clip_id, share)) != PORCH_OK)
        return cli_server_fail(ret, ss->c, "no wrap for this device, and no share");
    if ((ret = porch_clip_key_from_share(key, c->bytes, c->len, share, sizeof share, ss->dev,
                                         cli_now_us())) != PORCH_OK)
        return cli_fail(ret, c->path, "share");
    return PORCH_EXIT_OK;
}

static int open_mp4(const struct fetch_args *a, struct cli_session *ss, const struct cli_clip *c)
{
    struct cli_out out;
    struct cli_walk w = {.out = &out};
    porch_clip_key *key = NULL;
    int rc = cli_out_open(&out, a->mp4, 0600);

    if (rc == PORCH_EXIT_OK && (rc = clip_key(ss, c, &key)) == PORCH_EXIT_OK &&
        (rc = cli_clip_open_key(c, key, &w)) == PORCH_EXIT_OK &&
        (rc = cli_out_commit(&out)) == PORCH_EXIT_OK)
        printf("%s: %" PRIu32 " records, %" PRIu64 " bytes of fragmented MP4\n", a->mp4,
               w.records, w.plain_bytes);
    cli_out_abort(&out);
    porch_clip_key_free(key);
    porch_meta_free(w.meta);
    return rc;
}

static int fetch_run(const struct fetch_args *a, struct cli_session *ss, const porch_roster *r,
                     const uint8_t id[16])
{
    struct cli_clip c = {0};
    uint8_t *bytes = NULL;
    size_t len = 0;
    int ret, rc;

    if ((ret = porch_client_clip_get(ss->c, id, &bytes, &len)) != PORCH_OK)
        return cli_server_fail(ret, ss->c, "GET clip");
    rc = cli_write(a->out, bytes, len, 0600);
    free(bytes);
    if (rc != PORCH_EXIT_OK || (rc = cli_clip_load(&c, a->out, r)) != PORCH_EXIT_OK)
        goto out;
    if (memcmp(c.info.clip_id, id, 16) != 0) {
        rc = cli_fail(PORCH_ERR_BAD_RESPONSE, a->out, "server sent another clip");
        goto out;
    }
    printf("%s: clip %s (camera %s): %zu bytes, %" PRIu32 " records, verified\n", a->out,
           a->clip, c.info.camera, c.len, c.n_records);
    if (a->mp4)
        rc = open_mp4(a, ss, &c);
out:
    cli_clip_free(&c);
    return rc;
}

int cmd_fetch(int argc, char **argv)
{
    struct fetch_args a = {0};
    const struct cli_opt opts[] = {
        CLI_OPT_SESSION(&a.sa),
        CLI_OPT_ROSTER(&a.r, CLI_REQ), CLI_OPT_PIN(&a.r), CLI_OPT_STATE(&a.r),
        {"clip", "ID", "clip id (32 hex digits)", CLI_REQ, &a.clip, NULL},
        {"out", "CLIP", "where to write the sealed clip (mode 0600)", CLI_REQ, &a.out, NULL},
        {"mp4", "VIDEO.mp4", "also open it into a fragmented MP4 (mode 0600)", 0, &a.mp4, NULL},
    };
    const struct cli_spec spec = {"fetch", "Download, verify and optionally open a clip.",
        NULL, NULL, opts, sizeof opts / sizeof opts[0], NULL};
    struct cli_session ss = {0};
    porch_roster *r = NULL;
    uint8_t id[16];
    int rc = cli_parse(&spec, argc, argv);

    if (rc != CLI_CONTINUE)
        return rc;
    if ((rc = cli_parse_hex(a.clip, id, 16, "fetch --clip")) != PORCH_EXIT_OK)
        return rc;
    if ((rc = cli_roster_load(&a.r, &r)) == PORCH_EXIT_OK &&
        (rc = cli_session_open(&ss, a.sa.state, a.sa.key, a.sa.passfile, a.sa.ca)) ==
            PORCH_EXIT_OK)
        rc = fetch_run(&a, &ss, r, id);
    cli_session_close(&ss);
    porch_roster_free(r);
    return rc;
}
