/*
 * tlscert.c (tests only): certificates made with certtool; see tlscert.h.
 */
#include "tlscert.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>

#include "check.h"
#include "porchlight/file.h"

extern char **environ;

/* certtool with args (NULL-terminated), its output to /dev/null. Returns its
 * exit status, or -1 when it could not be run. */
static int certtool(const char *const *args)
{
    const char *argv[16] = { "certtool" };
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int n = 1, st = 0;

    while (*args && n < 15)
        argv[n++] = *args++;
    argv[n] = NULL;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    int r = posix_spawnp(&pid, "certtool", &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (r != 0 || waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void tls_make_cert(const char *dir, const char *name, char *cert, char *key, size_t cap)
{
    static const char tmpl_text[] = "cn = \"porchlight test\"\nip_address = \"127.0.0.1\"\n"
                                    "expiration_days = 2\nca\ncert_signing_key\n"
                                    "signing_key\ntls_www_server\n";
    char tmpl[1024];

    REQUIRE((size_t)snprintf(tmpl, sizeof tmpl, "%s/%s.tmpl", dir, name) < sizeof tmpl);
    REQUIRE((size_t)snprintf(cert, cap, "%s/%s.crt", dir, name) < cap);
    REQUIRE((size_t)snprintf(key, cap, "%s/%s.key", dir, name) < cap);
    REQUIRE(porch_file_write_atomic(tmpl, (const uint8_t *)tmpl_text, sizeof tmpl_text - 1,
                                    0600) == PORCH_OK);
    const char *gen_key[] = { "--generate-privkey", "--key-type=ecdsa", "--outfile", key, NULL };
    const char *gen_crt[] = { "--generate-self-signed", "--load-privkey", key, "--template", tmpl,
                              "--outfile", cert, NULL };
    int st = certtool(gen_key);
    if (st < 0)
        SKIP("certtool not installed (gnutls-bin; scripts/deps.sh)");
    REQUIRE(st == 0 && certtool(gen_crt) == 0);
}
