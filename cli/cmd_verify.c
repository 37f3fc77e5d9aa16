/*
 * cmd_verify.c: `porch verify`: is this clip genuine, complete and for us?
 *
 * Without --key, what anyone holding the roster can check: the header
 * signature, the header against the roster verified from the pin (hub,
 * viewers), and the framing of every record (order, gaps, one final record,
 * nothing after it). With --key, also unwraps the content key and decrypts
 * every record, checks the record kinds and decodes the metadata; nothing is
 * written. Prints a summary of the clip's public fields.
 */
#include <inttypes.h>
#include <stdio.h>

#include "porchlight/error.h"

#include "common.h"

struct verify_args {
    struct cli_roster_args r;
    const char *in, *key, *passfile;
};

static void print_hub(const porch_roster *r, const porch_clip_info *info)
{
    const porch_member *m = porch_roster_find(r, info->hub_sign_pk);
    char fpr[PORCH_FINGERPRINT_STR_BYTES], hex[2 * PORCH_SIGN_PK_BYTES + 1];

    if (m) {
        cli_fingerprint(&m->device, fpr);
        printf("hub: %s (%s)\n", m->device.name, fpr);
        return;
    }
    cli_hex(hex, info->hub_sign_pk, sizeof info->hub_sign_pk);
    printf("hub: signing key %s (no longer in the roster)\n", hex);
}

static void print_viewers(const porch_roster *r, const porch_clip_info *info)
{
    porch_device_public v[PORCH_CLIP_MAX_WRAPS];
    size_t n = 0;

    printf("viewers (%u):", info->n_wraps);
    if (porch_roster_viewers_at(r, info->roster.seq, info->camera, v, PORCH_CLIP_MAX_WRAPS,
                                &n) == PORCH_OK)
        for (size_t i = 0; i < n; i++)
            printf(" %s%s", v[i].name, i + 1 < n ? "," : "");
    printf("\n");
}

static void print_summary(const struct cli_clip *c, const porch_roster *r,
                          const struct cli_walk *w)
{
    char id[2 * PORCH_CLIP_ID_BYTES + 1], hh[2 * PORCH_HOUSEHOLD_ID_BYTES + 1], when[40];

    cli_hex(id, c->info.clip_id, sizeof c->info.clip_id);
    cli_hex(hh, c->info.household, sizeof c->info.household);
    cli_time_str(when, sizeof when, c->info.start_us);
    printf("%s: OK: header signature, roster, framing%s\n", c->path,
           w ? ", every record decrypted, metadata" : " (no key: records not decrypted)");
    printf("camera: %s\nclip id: %s\nhousehold: %s\nstart: %s\n", c->info.camera, id, hh, when);
    print_hub(r, &c->info);
    printf("roster entry: %" PRIu64 "\n", c->info.roster.seq);
    print_viewers(r, &c->info);
    printf("records: %" PRIu32 "\nbytes: %zu sealed", c->n_records, c->len);
    if (w) {
        char reason[PORCH_META_MAX_REASON + 1];
        cli_printable(reason, sizeof reason, w->meta->reason);
        cli_time_str(when, sizeof when, w->meta->end_us);
        printf(", %" PRIu64 " fMP4 in %" PRIu32 " fragments\nend: %s\nreason: %s\n",
               w->plain_bytes, w->media, when, reason);
    } else {
        printf("\n");
    }
}

static int verify_with_key(const struct verify_args *a, const struct cli_clip *c,
                           const porch_roster *r)
{
    porch_device_secret *dev = NULL;
    struct cli_walk w = {0};
    int rc = cli_load_secret(a->key, a->passfile, &dev);

    if (rc == PORCH_EXIT_OK && (rc = cli_clip_open(c, dev, &w)) == PORCH_EXIT_OK)
        print_summary(c, r, &w);
    porch_meta_free(w.meta);
    porch_device_free(dev);
    return rc;
}

int cmd_verify(int argc, char **argv)
{
    struct verify_args a = {0};
    const struct cli_opt opts[] = {
        {"in", "CLIP", "sealed clip", CLI_REQ, &a.in, NULL},
        CLI_OPT_ROSTER(&a.r, CLI_REQ), CLI_OPT_PIN(&a.r), CLI_OPT_STATE(&a.r),
        {"key", "VIEWER.key", "also decrypt every record with this device's key", 0, &a.key,
         NULL},
        CLI_OPT_PASSFILE(&a.passfile),
    };
    const struct cli_spec spec = {"verify",
        "Check a sealed clip: signature, roster, framing; with --key every record too.", NULL,
        NULL, opts, sizeof opts / sizeof opts[0], NULL};
    struct cli_clip c = {0};
    porch_roster *r = NULL;
    int rc = cli_parse(&spec, argc, argv);

    if (rc != CLI_CONTINUE)
        return rc;
    if ((rc = cli_roster_load(&a.r, &r)) == PORCH_EXIT_OK &&
        (rc = cli_clip_load(&c, a.in, r)) == PORCH_EXIT_OK) {
        if (a.key)
            rc = verify_with_key(&a, &c, r);
        else
            print_summary(&c, r, NULL);
    }
    cli_clip_free(&c);
    porch_roster_free(r);
    return rc;
}
