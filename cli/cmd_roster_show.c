/*
 * cmd_roster_show.c: `porch roster show` and `porch roster verify`.
 *
 * Both verify the whole chain from --pin (and against --state, which they
 * then update); `verify` prints one line about the head, `show` lists the
 * active members with role, scope and fingerprint. Names are safe to print:
 * the library only accepts [A-Za-z0-9 ._-].
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "porchlight/error.h"

#include "common.h"

static void scope_str(const porch_scope *s, char *out, size_t cap)
{
    size_t used = 0;

    if (s->all_cameras || s->n_cameras == 0) {
        snprintf(out, cap, "%s", s->all_cameras ? "all cameras" : "no cameras");
        return;
    }
    out[0] = '\0';
    for (unsigned i = 0; i < s->n_cameras && used < cap; i++) {
        int n = snprintf(out + used, cap - used, "%s%s", i ? "," : "", s->cameras[i]);
        used += n > 0 ? (size_t)n : 0;
    }
}

static void print_member(const porch_member *m)
{
    char fpr[PORCH_FINGERPRINT_STR_BYTES];
    char scope[PORCH_SCOPE_MAX_CAMERAS * (PORCH_CAMERA_ID_MAX + 1) + 16];

    cli_fingerprint(&m->device, fpr);
    scope_str(&m->scope, scope, sizeof scope);
    printf("  %-20s %-8s %s  entry %-4" PRIu64 " %s\n", m->device.name,
           porch_role_name(m->role), fpr, m->added_seq, scope);
}

static void print_head(const porch_roster *r, const char *path)
{
    porch_roster_head head;
    char hex[2 * PORCH_HASH_BYTES + 1], hh[2 * PORCH_HOUSEHOLD_ID_BYTES + 1];

    porch_roster_get_head(r, &head);
    cli_hex(hex, head.hash, sizeof head.hash);
    cli_hex(hh, porch_roster_household(r), PORCH_HOUSEHOLD_ID_BYTES);
    printf("%s: verified from the pin: household %s, %" PRIu64 " entries, %zu members\n"
           "head: seq %" PRIu64 " hash %s\n", path, hh, porch_roster_entry_count(r),
           porch_roster_member_count(r), head.seq, hex);
}

int cmd_roster_show(int argc, char **argv, int verify_only)
{
    struct cli_roster_args a = {0};
    const struct cli_opt opts[] = {CLI_OPT_ROSTER(&a, CLI_REQ), CLI_OPT_PIN(&a),
                                   CLI_OPT_STATE(&a)};
    const struct cli_spec spec = {verify_only ? "roster verify" : "roster show",
        verify_only ? "Verify the roster's whole chain from the pinned owner and print its head."
                    : "Verify the roster from the pinned owner and list its active members.",
        NULL, NULL, opts, sizeof opts / sizeof opts[0],
        "--state FILE remembers the last head accepted: a roster that is older (rollback)\n"
        "or disagrees with it (fork) is refused. A missing state file is created."};
    porch_roster *r = NULL;
    int rc = cli_parse(&spec, argc, argv);

    if (rc != CLI_CONTINUE || (rc = cli_roster_load(&a, &r)) != PORCH_EXIT_OK)
        return rc;
    print_head(r, a.roster);
    if (!verify_only) {
        printf("members:\n  %-20s %-8s %-39s  %-10s %s\n", "NAME", "ROLE", "FINGERPRINT",
               "ADDED", "CAMERAS");
        for (size_t i = 0; i < porch_roster_member_count(r); i++)
            print_member(porch_roster_member(r, i));
    }
    porch_roster_free(r);
    return PORCH_EXIT_OK;
}
