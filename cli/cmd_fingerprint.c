/*
 * cmd_fingerprint.c: `porch fingerprint FILE`: the fingerprint people
 * compare out loud, from a .pub file or a .key file (no passphrase needed:
 * the public half of a key file is readable in the clear).
 */
#include <stdio.h>

#include "common.h"

int cmd_fingerprint(int argc, char **argv)
{
    const char *file = NULL;
    const struct cli_spec spec = {"fingerprint",
        "Print the fingerprint and name of a public (.pub) or secret (.key) key file.",
        "FILE", &file, NULL, 0,
        "Output: FINGERPRINT NAME. Use the owner's fingerprint as --pin."};
    porch_device_public pub;
    char fpr[PORCH_FINGERPRINT_STR_BYTES];
    int rc = cli_parse(&spec, argc, argv);

    if (rc != CLI_CONTINUE)
        return rc;
    if ((rc = cli_load_public(file, &pub)) != PORCH_EXIT_OK)
        return rc;
    cli_fingerprint(&pub, fpr);
    printf("%s %s\n", fpr, pub.name);
    return PORCH_EXIT_OK;
}
