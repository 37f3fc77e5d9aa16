/*
 * cmd_roster.c: `porch roster init|add|remove|rotate` (changes) and the
 * dispatch to `show|verify` (cmd_roster_show.c).
 *
 * Every change first loads the roster verified from --pin (and --state),
 * unlocks the admin's key, lets the library append one signed entry (it
 * checks the signer is an active admin and the membership rules), then
 * writes the whole roster atomically and records the new head in --state.
 * Only `init` takes no pin: it creates the chain the pin will anchor.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "porchlight/error.h"

#include "common.h"

#define ROSTER_CHANGE_NOTES                                                           \
    "The roster is verified from --pin first; the change is signed with --key and\n" \
    "the file replaced atomically. With --state, rollback is refused and the new\n"  \
    "head recorded."

struct change_args {
    struct cli_roster_args r;
    const char *key, *passfile, *device, *role, *cameras, *new_pub;
    int force;
};

/* One change: appends its entry to r, or reports and returns an exit code. */
typedef int (*change_fn)(porch_roster *r, const porch_device_secret *admin,
                         const struct change_args *a, uint64_t now);

static uint64_t now_s(void)
{
    time_t t = time(NULL);
    return t < 0 ? 0 : (uint64_t)t;
}

static int roster_scope_parse(const char *text, porch_scope *out)
{
    char copy[PORCH_SCOPE_MAX_CAMERAS * (PORCH_CAMERA_ID_MAX + 1) + 1];
    char *save = NULL;

    memset(out, 0, sizeof *out);
    if (strcmp(text, "all") == 0)
        return out->all_cameras = 1, 1;
    if (strlen(text) >= sizeof copy)
        return 0;
    strcpy(copy, text);
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (!porch_camera_id_valid(t) || out->n_cameras == PORCH_SCOPE_MAX_CAMERAS)
            return 0;
        strcpy(out->cameras[out->n_cameras++], t);
    }
    return out->n_cameras > 0;
}

static int change_done(const porch_roster *r, const struct change_args *a, const char *what)
{
    porch_roster_head head;
    char hex[2 * PORCH_HASH_BYTES + 1];
    int rc = cli_roster_save(r, a->r.roster, a->r.state);

    if (rc != PORCH_EXIT_OK)
        return rc;
    porch_roster_get_head(r, &head);
    cli_hex(hex, head.hash, sizeof head.hash);
    printf("%s: entry %" PRIu64 ": %s\nhead: seq %" PRIu64 " hash %s\n", a->r.roster, head.seq,
           what, head.seq, hex);
    return PORCH_EXIT_OK;
}

static int roster_change(const struct change_args *a, change_fn fn)
{
    porch_roster *r = NULL;
    porch_device_secret *admin = NULL;
    int rc = cli_roster_load(&a->r, &r);

    if (rc == PORCH_EXIT_OK)
        rc = cli_load_secret(a->key, a->passfile, &admin);
    if (rc == PORCH_EXIT_OK)
        rc = fn(r, admin, a, now_s());
    porch_device_free(admin);
    porch_roster_free(r);
    return rc;
}

/* The scope --cameras gives, or the role's default: admin all, support none. */
static int scope_for(porch_role role, const char *cams, porch_scope *scope)
{
    memset(scope, 0, sizeof *scope);
    if (!cams && role == PORCH_ROLE_ADMIN)
        cams = "all";
    if (!cams && role == PORCH_ROLE_SUPPORT)
        return PORCH_EXIT_OK;
    if (!cams)
        return cli_usage("roster add", "--cameras is required for a %s", porch_role_name(role));
    if (!roster_scope_parse(cams, scope))
        return cli_usage("roster add", "--cameras '%s': 'all' or up to %u comma-separated ids "
                         "of a-z 0-9 . _ -", cams, PORCH_SCOPE_MAX_CAMERAS);
    return PORCH_EXIT_OK;
}

static int do_add(porch_roster *r, const porch_device_secret *admin,
                  const struct change_args *a, uint64_t now)
{
    porch_device_public dev;
    porch_role role;
    porch_scope scope;
    char what[160];
    int ret, rc;

    if (porch_role_parse(a->role, &role) != PORCH_OK)
        return cli_usage("roster add", "--role '%s': use admin, member, hub or support", a->role);
    if ((rc = scope_for(role, a->cameras, &scope)) != PORCH_EXIT_OK ||
        (rc = cli_load_public(a->device, &dev)) != PORCH_EXIT_OK)
        return rc;
    ret = porch_roster_add(r, admin, &dev, role, &scope, now);
    if (ret != PORCH_OK)
        return cli_fail(ret, a->r.roster, "new entry %" PRIu64 " (add '%s' as %s)",
                        porch_roster_entry_count(r), dev.name, a->role);
    snprintf(what, sizeof what, "added '%s' as %s (cameras: %s)", dev.name, a->role,
             scope.all_cameras ? "all" : scope.n_cameras ? a->cameras : "none");
    return change_done(r, a, what);
}

static int do_remove(porch_roster *r, const porch_device_secret *admin,
                     const struct change_args *a, uint64_t now)
{
    porch_device_public dev;
    char what[120];
    int ret, rc = cli_load_public(a->device, &dev);

    if (rc != PORCH_EXIT_OK)
        return rc;
    if ((ret = porch_roster_remove(r, admin, dev.sign_pk, now)) != PORCH_OK)
        return cli_fail(ret, a->r.roster, "new entry %" PRIu64 " (remove '%s')",
                        porch_roster_entry_count(r), dev.name);
    snprintf(what, sizeof what, "removed '%s'", dev.name);
    return change_done(r, a, what);
}

static int do_rotate(porch_roster *r, const porch_device_secret *admin,
                     const struct change_args *a, uint64_t now)
{
    porch_device_public old, fresh;
    char what[200];
    int ret, rc = cli_load_public(a->device, &old);

    if (rc == PORCH_EXIT_OK)
        rc = cli_load_public(a->new_pub, &fresh);
    if (rc != PORCH_EXIT_OK)
        return rc;
    if ((ret = porch_roster_rotate(r, admin, old.sign_pk, &fresh, now)) != PORCH_OK)
        return cli_fail(ret, a->r.roster, "new entry %" PRIu64 " (rotate '%s' to '%s')",
                        porch_roster_entry_count(r), old.name, fresh.name);
    snprintf(what, sizeof what, "rotated '%s' to new keys '%s'", old.name, fresh.name);
    return change_done(r, a, what);
}

static int roster_init_done(const porch_roster *r, const porch_device_secret *owner,
                            const char *path, const char *state)
{
    char fpr[PORCH_FINGERPRINT_STR_BYTES], hh[2 * PORCH_HOUSEHOLD_ID_BYTES + 1];
    int rc = cli_roster_save(r, path, state);

    if (rc != PORCH_EXIT_OK)
        return rc;
    cli_fingerprint(porch_device_public_of(owner), fpr);
    cli_hex(hh, porch_roster_household(r), PORCH_HOUSEHOLD_ID_BYTES);
    printf("%s: new household %s, owner '%s'\npin: %s\n", path, hh,
           porch_device_public_of(owner)->name, fpr);
    return PORCH_EXIT_OK;
}

static void roster_usage(FILE *f)
{
    fputs("Usage: porch roster SUBCOMMAND [OPTIONS]\n\n"
          "The household roster: a signed, hash-chained list of devices and roles.\n\n"
          "Subcommands:\n"
          "  init     start a household (the owner becomes admin of all cameras)\n"
          "  add      add a device (admin, member, hub or support) with a camera scope\n"
          "  remove   remove a device\n"
          "  rotate   replace a device's keys\n"
          "  show     verify from the pin and list the members\n"
          "  verify   verify from the pin (and --state) and print the head\n\n"
          "Run 'porch roster SUBCOMMAND --help' for its options.\n", f);
}

static int roster_init(int argc, char **argv)
{
    struct change_args a = {0};
    const struct cli_opt opts[] = {
        CLI_OPT_ROSTER(&a.r, CLI_REQ),
        {"key", "OWNER.key", "the owner's secret key file", CLI_REQ, &a.key, NULL},
        CLI_OPT_PASSFILE(&a.passfile),
        CLI_OPT_STATE(&a.r),
        {"force", NULL, "replace an existing roster file", 0, NULL, &a.force},
    };
    const struct cli_spec spec = {"roster init",
        "Start a household: a roster whose genesis entry makes the owner an admin of all cameras.",
        NULL, NULL, opts, sizeof opts / sizeof opts[0],
        "Prints the owner's fingerprint: every later command takes it as --pin."};
    porch_device_secret *owner = NULL;
    porch_roster *r = NULL;
    int ret, rc = cli_parse(&spec, argc, argv);

    if (rc != CLI_CONTINUE)
        return rc;
    if (!a.force && cli_exists(a.r.roster))
        return cli_failf(PORCH_EXIT_ENV, a.r.roster,
                         "already exists; not replacing a roster without --force");
    if ((rc = cli_load_secret(a.key, a.passfile, &owner)) != PORCH_EXIT_OK)
        return rc;
    if ((ret = porch_roster_create(&r, owner, now_s())) != PORCH_OK)
        rc = cli_fail(ret, a.r.roster, "entry 0 (genesis)");
    else
        rc = roster_init_done(r, owner, a.r.roster, a.r.state);
    porch_roster_free(r);
    porch_device_free(owner);
    return rc;
}

/* The options every change shares, then the change's own. */
#define CHANGE_OPTS(a)                                                                   \
    CLI_OPT_ROSTER(&(a)->r, CLI_REQ), CLI_OPT_PIN(&(a)->r),                               \
    {"key", "ADMIN.key", "secret key file of an admin in the roster", CLI_REQ, &(a)->key, \
     NULL},                                                                               \
    CLI_OPT_PASSFILE(&(a)->passfile), CLI_OPT_STATE(&(a)->r)

static int change_main(const struct cli_spec *spec, int argc, char **argv,
                       const struct change_args *a, change_fn fn)
{
    int rc = cli_parse(spec, argc, argv);
    return rc != CLI_CONTINUE ? rc : roster_change(a, fn);
}

static int roster_add_cmd(int argc, char **argv)
{
    struct change_args a = {0};
    const struct cli_opt opts[] = {
        CHANGE_OPTS(&a),
        {"device", "DEV.pub", "the new device's public key (.pub or .key)", CLI_REQ, &a.device,
         NULL},
        {"role", "ROLE", "admin, member, hub or support", CLI_REQ, &a.role, NULL},
        {"cameras", "LIST", "'all' or camera ids a,b (required for member and hub; "
         "default admin: all, support: none)", 0, &a.cameras, NULL},
    };
    const struct cli_spec spec = {"roster add", "Add a device with a role and a camera scope.",
        NULL, NULL, opts, sizeof opts / sizeof opts[0], ROSTER_CHANGE_NOTES};

    return change_main(&spec, argc, argv, &a, do_add);
}

static int roster_remove_cmd(int argc, char **argv)
{
    struct change_args a = {0};
    const struct cli_opt opts[] = {
        CHANGE_OPTS(&a),
        {"device", "DEV.pub", "the device's public key (.pub or .key)", CLI_REQ, &a.device,
         NULL},
    };
    const struct cli_spec spec = {"roster remove",
        "Remove a device: clips sealed after this are not wrapped for it.",
        NULL, NULL, opts, sizeof opts / sizeof opts[0], ROSTER_CHANGE_NOTES};

    return change_main(&spec, argc, argv, &a, do_remove);
}

static int roster_rotate_cmd(int argc, char **argv)
{
    struct change_args a = {0};
    const struct cli_opt opts[] = {
        CHANGE_OPTS(&a),
        {"device", "OLD.pub", "the device's current public key", CLI_REQ, &a.device, NULL},
        {"new", "NEW.pub", "its new public key (role and scope are kept)", CLI_REQ, &a.new_pub,
         NULL},
    };
    const struct cli_spec spec = {"roster rotate", "Replace a device's keys.",
        NULL, NULL, opts, sizeof opts / sizeof opts[0], ROSTER_CHANGE_NOTES};

    return change_main(&spec, argc, argv, &a, do_rotate);
}

int cmd_roster(int argc, char **argv)
{
    static const char *const subs[] = {"init", "add", "remove", "rotate", "show", "verify"};
    const char *sub = argc > 1 ? argv[1] : NULL;

    if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        roster_usage(sub ? stdout : stderr);
        return sub ? PORCH_EXIT_OK : PORCH_EXIT_USAGE;
    }
    if (strcmp(sub, subs[0]) == 0)
        return roster_init(argc - 1, argv + 1);
    if (strcmp(sub, subs[1]) == 0)
        return roster_add_cmd(argc - 1, argv + 1);
    if (strcmp(sub, subs[2]) == 0)
        return roster_remove_cmd(argc - 1, argv + 1);
    if (strcmp(sub, subs[3]) == 0)
        return roster_rotate_cmd(argc - 1, argv + 1);
    if (strcmp(sub, subs[4]) == 0 || strcmp(sub, subs[5]) == 0)
        return cmd_roster_show(argc - 1, argv + 1, strcmp(sub, subs[5]) == 0);
    fprintf(stderr, "porch roster: unknown subcommand '%s'\n", sub);
    roster_usage(stderr);
    return PORCH_EXIT_USAGE;
}
