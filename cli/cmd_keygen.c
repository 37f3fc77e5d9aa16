/*
 * cmd_keygen.c: `porch keygen`: a new device identity.
 *
 * Writes PREFIX.key (the secret keys sealed under a passphrase with
 * Argon2id, mode 0600) and PREFIX.pub (public keys and name, mode 0644),
 * each atomically, and prints the fingerprint to compare out loud. Existing
 * files are never replaced without --force: losing a key loses every clip
 * sealed to it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"

#include "common.h"

struct keygen_args {
    const char *name, *out, *kdf, *passfile;
    int force;
};

static int kdf_parse(const char *text, porch_kdf_level *out)
{
    static const struct { const char *name; porch_kdf_level level; } levels[] = {
        {"interactive", PORCH_KDF_INTERACTIVE},
        {"moderate", PORCH_KDF_MODERATE},
        {"sensitive", PORCH_KDF_SENSITIVE},
    };

    *out = PORCH_KDF_MODERATE;
    if (!text)
        return 1;
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
        if (strcmp(text, levels[i].name) == 0)
            return *out = levels[i].level, 1;
    return 0;
}

static char *path_with(const char *prefix, const char *ext)
{
    size_t n = strlen(prefix) + strlen(ext) + 1;
    char *p = malloc(n);

    if (p)
        snprintf(p, n, "%s%s", prefix, ext);
    return p;
}

static int write_pub(const porch_device_public *pub, const char *path)
{
    uint8_t buf[PORCH_PUBLIC_FILE_MAX];
    size_t len = 0;
    int ret = porch_public_encode(pub, buf, sizeof buf, &len);

    return ret != PORCH_OK ? cli_fail(ret, path, "cannot encode public key")
                           : cli_write(path, buf, len, 0644);
}

/* Seals dev under a passphrase and writes both files. */
static int write_keys(const porch_device_secret *dev, const struct keygen_args *a,
                      porch_kdf_level level, const char *key_path, const char *pub_path)
{
    struct cli_pass pass = {0};
    uint8_t *file = NULL;
    size_t len = 0;
    int ret, rc = cli_pass_get(&pass, a->passfile, 1);

    if (rc != PORCH_EXIT_OK)
        return rc;
    ret = porch_device_seal(dev, pass.text, pass.len, level, &file, &len);
    cli_pass_free(&pass);
    if (ret != PORCH_OK)
        return cli_fail(ret, key_path, "cannot seal secret key");
    rc = cli_write(key_path, file, len, 0600);
    free(file);
    return rc != PORCH_EXIT_OK ? rc : write_pub(porch_device_public_of(dev), pub_path);
}

static int keygen_run(const struct keygen_args *a, porch_kdf_level level,
                      const char *key_path, const char *pub_path)
{
    porch_device_secret *dev = NULL;
    char fpr[PORCH_FINGERPRINT_STR_BYTES];
    int ret, rc;

    if (!a->force && (cli_exists(key_path) || cli_exists(pub_path)))
        return cli_failf(PORCH_EXIT_ENV, cli_exists(key_path) ? key_path : pub_path,
                         "already exists; not replacing a key without --force");
    if ((ret = porch_device_generate(&dev, a->name)) != PORCH_OK)
        return cli_fail(ret, key_path, "cannot generate keys");
    rc = write_keys(dev, a, level, key_path, pub_path);
    if (rc == PORCH_EXIT_OK) {
        cli_fingerprint(porch_device_public_of(dev), fpr);
        printf("%s: secret key of '%s' (mode 0600; keep it and its passphrase safe)\n"
               "%s: public key\nfingerprint: %s\n", key_path, a->name, pub_path, fpr);
    }
    porch_device_free(dev);
    return rc;
}

int cmd_keygen(int argc, char **argv)
{
    struct keygen_args a = {0};
    const struct cli_opt opts[] = {
        {"name", "NAME", "device name: 1-64 of A-Z a-z 0-9 space . _ -", CLI_REQ, &a.name, NULL},
        {"out", "PREFIX", "write PREFIX.key and PREFIX.pub", CLI_REQ, &a.out, NULL},
        {"kdf", "LEVEL", "Argon2id cost: interactive, moderate (default), sensitive", 0, &a.kdf,
         NULL},
        CLI_OPT_PASSFILE(&a.passfile),
        {"force", NULL, "replace existing PREFIX.key / PREFIX.pub", 0, NULL, &a.force},
    };
    const struct cli_spec spec = {"keygen", "Create a device identity: Ed25519 + X25519 key pairs.",
        NULL, NULL, opts, sizeof opts / sizeof opts[0],
        "Without --passphrase-file the passphrase is asked twice on the terminal.\n"
        "Levels: interactive 64 MiB/2 passes, moderate 256 MiB/3, sensitive 1 GiB/4."};
    porch_kdf_level level;
    char *key_path = NULL, *pub_path = NULL;
    int rc = cli_parse(&spec, argc, argv);

    if (rc != CLI_CONTINUE)
        return rc;
    if (!porch_name_valid(a.name))
        return cli_usage("keygen", "--name '%s': use 1-64 of A-Z a-z 0-9 space . _ -", a.name);
    if (!kdf_parse(a.kdf, &level))
        return cli_usage("keygen", "--kdf '%s': use interactive, moderate or sensitive", a.kdf);
    key_path = path_with(a.out, ".key");
    pub_path = path_with(a.out, ".pub");
    rc = key_path && pub_path ? keygen_run(&a, level, key_path, pub_path)
                              : cli_fail(PORCH_ERR_NOMEM, a.out, NULL);
    free(key_path);
    free(pub_path);
    return rc;
}
