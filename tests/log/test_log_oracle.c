/*
 * test_log_oracle.c: roots of trees of 0..20 entries against an independent
 * implementation, tests/log/rfc6962_oracle.py (Python's hashlib only). The
 * script runs through posix_spawnp() with a structurally built argv; when
 * python3 is not installed the test is skipped (exit 77), not failed.
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "porchlight/log.h"
#include "util/hex.h"

extern char **environ;

#define ORACLE_MAX_N 20
#define OUT_MAX 8192

/* Runs the oracle and reads its whole stdout into out. Returns the exit
 * status, 127 when python3 cannot be started. */
static int run_oracle(const char *script, char *out, size_t cap)
{
    char *argv[] = { "python3", (char *)script, NULL };
    posix_spawn_file_actions_t fa;
    size_t got = 0;
    int pipefd[2], status = 0;
    pid_t pid;

    REQUIRE(pipe(pipefd) == 0);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    posix_spawn_file_actions_addclose(&fa, pipefd[0]);
    if (posix_spawnp(&pid, "python3", &fa, NULL, argv, environ) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        close(pipefd[0]);
        close(pipefd[1]);
        return 127;
    }
    posix_spawn_file_actions_destroy(&fa);
    close(pipefd[1]);
    for (ssize_t n; got + 1 < cap && (n = read(pipefd[0], out + got, cap - 1 - got)) != 0;) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        got += (size_t)n;
    }
    out[got] = '\0';
    close(pipefd[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int main(void)
{
    static char out[OUT_MAX];
    const char *src = getenv("PORCH_SOURCE_DIR");
    char script[4096], entry[32], hex[65], mine[65];
    porch_log_store *s = NULL;
    uint8_t root[32];
    int rc, seen = 0;

    REQUIRE(porch_init() == PORCH_OK);
    snprintf(script, sizeof script, "%s/tests/log/rfc6962_oracle.py", src ? src : ".");
    rc = run_oracle(script, out, sizeof out);
    if (rc == 127)
        SKIP("python3 not found: the independent oracle is not run");
    CHECK(rc == 0);
    REQUIRE(porch_log_store_mem_new(&s) == PORCH_OK);
    for (int i = 0; i < ORACLE_MAX_N; i++) {
        int len = snprintf(entry, sizeof entry, "entry-%d", i);
        CHECK_OK(porch_log_append(s, (const uint8_t *)entry, (size_t)len, NULL));
    }
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned n;
        if (sscanf(line, "%u %64s", &n, hex) != 2 || n > ORACLE_MAX_N) {
            CHECK(!"unexpected oracle output line");
            continue;
        }
        CHECK_OK(porch_log_root(s, n, root));
        CHECK_OK(porch__hex_encode(mine, sizeof mine, root, sizeof root));
        CHECK(strcmp(mine, hex) == 0);
        if (strcmp(mine, hex) != 0)
            fprintf(stderr, "  size %u: oracle %s, library %s\n", n, hex, mine);
        seen++;
    }
    CHECK(seen == ORACLE_MAX_N + 1);
    porch_log_store_free(s);
    return CHECK_DONE();
}
