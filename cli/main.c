/*
 * main.c: `porch`, the client CLI. Dispatches to one verb per file
 * (cmd_*.c); everything it does goes through the core library.
 * Exit codes: 0 ok, 1 verification/authentication failure, 2 usage,
 * 3 I/O or environment (docs/CLI.md).
 */
#include <stdio.h>
#include <string.h>

#include <libavutil/log.h>

#include "porchlight/error.h"

#include "common.h"

struct verb {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct verb verbs[] = {
    {"keygen", cmd_keygen, "create a device key pair (passphrase-protected .key, and .pub)"},
    {"fingerprint", cmd_fingerprint, "print the fingerprint of a .pub or .key file"},
    {"roster", cmd_roster, "create, change, show and verify the household roster"},
    {"seal", cmd_seal, "seal a video file into a clip for the roster's viewers"},
    {"open", cmd_open, "verify and decrypt a sealed clip into a playable MP4"},
    {"verify", cmd_verify, "check a sealed clip (and, with --key, every record)"},
    {"pair", cmd_pair, "pin a server's key; create the household on it"},
    {"push-roster", cmd_push_roster, "upload the household roster to the server"},
    {"clips", cmd_clips, "list the clips on the server"},
    {"fetch", cmd_fetch, "download, verify and optionally open a clip"},
    {"grant", cmd_grant, "give a support device access to some clips"},
    {"revoke", cmd_revoke, "revoke a support grant"},
    {"notices", cmd_notices, "list or follow sealed event notices"},
    {"audit", cmd_audit, "verify the access log; list who read what and when"},
};

static void usage(FILE *f)
{
    fputs("Usage: porch COMMAND [OPTIONS]\n\n"
          "Porchlight client: device keys, the household roster and sealed clips.\n\n"
          "Commands:\n", f);
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        fprintf(f, "  %-12s %s\n", verbs[i].name, verbs[i].summary);
    fputs("\nRun 'porch COMMAND --help' for a command's options. See porch(1).\n"
          "Exit status: 0 ok, 1 verification or authentication failed, 2 usage error,\n"
          "3 I/O or environment error.\n", f);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr), PORCH_EXIT_USAGE;
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0)
        return usage(stdout), PORCH_EXIT_OK;
    if (strcmp(argv[1], "--version") == 0)
        return puts("porch 0.1.0"), PORCH_EXIT_OK;
    if (porch_init() != PORCH_OK)
        return cli_fail(PORCH_ERR_CRYPTO, "libsodium", "initialisation");
    /* FFmpeg's own chatter stays off unless it is an error. */
    av_log_set_level(AV_LOG_ERROR);
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (strcmp(argv[1], verbs[i].name) == 0)
            return verbs[i].run(argc - 1, argv + 1);
    fprintf(stderr, "porch: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return PORCH_EXIT_USAGE;
}
