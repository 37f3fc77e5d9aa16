/*
 * cmd_open.c: `porch open`: a sealed clip -> a playable fragmented MP4.
 *
 * Nothing is written unless everything verifies: the header signature, the
 * header against the roster verified from the pin (hub allowed for the
 * camera, wraps exactly the allowed viewers), this device's wrap and the
 * key commitment, then every record in order up to the final one. The video
 * streams to a temporary file that is renamed into place only then; the
 * metadata and thumbnail are written afterwards. Outputs are plaintext of a
 * private recording, so they are created with mode 0600.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "porchlight/error.h"

#include "common.h"

struct open_args {
    struct cli_roster_args r;
    const char *in, *out, *key, *passfile, *meta, *thumb;
};

static int write_extras(const struct open_args *a, const struct cli_clip *c,
                        const porch_clip_meta *meta)
{
    char *json = NULL;
    size_t len = 0;
    int ret, rc = PORCH_EXIT_OK;

    if (a->meta) {
        if ((ret = cli_meta_json(&c->info, meta, &json, &len)) != PORCH_OK)
            return cli_fail(ret, a->meta, "metadata as JSON");
        rc = cli_write(a->meta, (const uint8_t *)json, len, 0600);
        free(json);
    }
    if (rc == PORCH_EXIT_OK && a->thumb) {
        if (!meta->thumbnail)
            return cli_failf(PORCH_EXIT_BAD, c->path, "final record: metadata has no thumbnail "
                             "(--thumbnail %s not written)", a->thumb);
        rc = cli_write(a->thumb, meta->thumbnail, meta->thumbnail_len, 0600);
    }
    return rc;
}

static int open_run(const struct open_args *a, const struct cli_clip *c,
                    const porch_device_secret *dev)
{
    struct cli_out out;
    struct cli_walk w = {.out = &out};
    char id[2 * PORCH_CLIP_ID_BYTES + 1];
    int rc = cli_out_open(&out, a->out, 0600);

    if (rc == PORCH_EXIT_OK && (rc = cli_clip_open(c, dev, &w)) == PORCH_EXIT_OK &&
        a->thumb && !w.meta->thumbnail)
        rc = cli_failf(PORCH_EXIT_BAD, c->path, "final record: metadata has no thumbnail "
                       "(--thumbnail %s not written; nothing written)", a->thumb);
    if (rc == PORCH_EXIT_OK && (rc = cli_out_commit(&out)) == PORCH_EXIT_OK &&
        (rc = write_extras(a, c, w.meta)) == PORCH_EXIT_OK) {
        cli_hex(id, c->info.clip_id, sizeof c->info.clip_id);
        printf("%s: opened clip %s (camera %s) as '%s'\n%s: %" PRIu32 " records, %" PRIu32
               " fragments, %" PRIu64 " bytes of fragmented MP4\n", c->path, id, c->info.camera,
               porch_device_public_of(dev)->name, a->out, w.records, w.media, w.plain_bytes);
    }
    if (rc == PORCH_EXIT_OK && a->meta) {
        char reason[PORCH_META_MAX_REASON + 1];
        cli_printable(reason, sizeof reason, w.meta->reason);
        printf("%s: metadata (reason: %s)\n", a->meta, reason);
    }
    cli_out_abort(&out);
    porch_meta_free(w.meta);
    return rc;
}

int cmd_open(int argc, char **argv)
{
    struct open_args a = {0};
    const struct cli_opt opts[] = {
        {"in", "CLIP", "sealed clip", CLI_REQ, &a.in, NULL},
        {"key", "VIEWER.key", "this device's secret key", CLI_REQ, &a.key, NULL},
        CLI_OPT_PASSFILE(&a.passfile),
        CLI_OPT_ROSTER(&a.r, CLI_REQ), CLI_OPT_PIN(&a.r), CLI_OPT_STATE(&a.r),
        {"out", "VIDEO.mp4", "where to write the video (fragmented MP4, mode 0600)", CLI_REQ,
         &a.out, NULL},
        {"meta", "META.json", "also write the clip's metadata as JSON", 0, &a.meta, NULL},
        {"thumbnail", "OUT.jpg", "also write the sealed thumbnail", 0, &a.thumb, NULL},
    };
    const struct cli_spec spec = {"open",
        "Verify and decrypt a sealed clip into a playable MP4.", NULL, NULL, opts,
        sizeof opts / sizeof opts[0],
        "Nothing is written unless the whole clip verifies and decrypts."};
    struct cli_clip c = {0};
    porch_roster *r = NULL;
    porch_device_secret *dev = NULL;
    int rc = cli_parse(&spec, argc, argv);

    if (rc != CLI_CONTINUE)
        return rc;
    if ((rc = cli_roster_load(&a.r, &r)) == PORCH_EXIT_OK &&
        (rc = cli_clip_load(&c, a.in, r)) == PORCH_EXIT_OK &&
        (rc = cli_load_secret(a.key, a.passfile, &dev)) == PORCH_EXIT_OK)
        rc = open_run(&a, &c, dev);
    porch_device_free(dev);
    cli_clip_free(&c);
    porch_roster_free(r);
    return rc;
}
