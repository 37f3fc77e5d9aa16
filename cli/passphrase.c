/*
 * passphrase.c: getting a passphrase without it ever touching ordinary memory.
 *
 * Sources, in order: --passphrase-file, $PORCH_PASSPHRASE_FILE, a prompt on
 * /dev/tty with echo off (only when stdin is a terminal). Never argv, never
 * an environment variable holding the passphrase itself (both are visible
 * to other processes). Bytes are read straight into a sodium_malloc buffer
 * (guard pages, mlock) and wiped by sodium_free; no stdio buffering is used.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "porchlight/error.h"

#include "common.h"

void cli_pass_free(struct cli_pass *p)
{
    sodium_free(p->text); /* wipes; NULL-safe */
    p->text = NULL;
    p->len = 0;
}

static int pass_alloc(struct cli_pass *p)
{
    p->len = 0;
    p->text = sodium_malloc(CLI_PASS_MAX + 2);
    if (!p->text)
        return cli_fail(PORCH_ERR_NOMEM, "passphrase", NULL);
    sodium_memzero(p->text, CLI_PASS_MAX + 2);
    return PORCH_EXIT_OK;
}

/*
 * Reads one line from fd into p->text (without "\n" or "\r\n").
 * Returns 0 (also at end of file: an empty file is an empty passphrase),
 * -1 on a read error, or -2 when the line is longer than CLI_PASS_MAX.
 */
static int read_line(int fd, struct cli_pass *p)
{
    for (;;) {
        char c;
        ssize_t n = read(fd, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0 || c == '\n')
            break;
        if (p->len == CLI_PASS_MAX)
            return -2;
        p->text[p->len++] = c;
    }
    if (p->len && p->text[p->len - 1] == '\r')
        p->text[--p->len] = '\0';
    p->text[p->len] = '\0';
    return 0;
}

static int pass_from_file(struct cli_pass *p, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC), r;

    if (fd < 0)
        return cli_fail(PORCH_ERR_IO, path, "cannot open passphrase file");
    r = read_line(fd, p);
    close(fd);
    if (r == -1)
        return cli_fail(PORCH_ERR_IO, path, "cannot read passphrase file");
    if (r == -2)
        return cli_failf(PORCH_EXIT_USAGE, path,
                         "passphrase file: first line longer than %u bytes", CLI_PASS_MAX);
    if (p->len == 0)
        return cli_failf(PORCH_EXIT_USAGE, path, "passphrase file: first line is empty");
    return PORCH_EXIT_OK;
}

/* Prompts on the terminal with echo off; restores the terminal whatever happens. */
static int prompt_tty(int tty, const char *prompt, struct cli_pass *p)
{
    struct termios old, quiet;
    int r, have = tcgetattr(tty, &old) == 0;

    if (write(tty, prompt, strlen(prompt)) < 0)
        return cli_fail(PORCH_ERR_IO, "/dev/tty", "cannot prompt for passphrase");
    if (have) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(tty, TCSAFLUSH, &quiet);
    }
    r = read_line(tty, p);
    if (have)
        tcsetattr(tty, TCSAFLUSH, &old);
    if (write(tty, "\n", 1) < 0)
        r = r ? r : -1;
    if (r != 0)
        return cli_failf(PORCH_EXIT_ENV, "/dev/tty", "cannot read passphrase");
    if (p->len == 0)
        return cli_failf(PORCH_EXIT_USAGE, "/dev/tty", "empty passphrase");
    return PORCH_EXIT_OK;
}

static int pass_from_tty(struct cli_pass *p, int confirm)
{
    struct cli_pass again = {0};
    int tty = open("/dev/tty", O_RDWR | O_CLOEXEC), rc;

    if (tty < 0)
        return cli_fail(PORCH_ERR_IO, "/dev/tty", "cannot open the terminal");
    rc = prompt_tty(tty, confirm ? "New passphrase: " : "Passphrase: ", p);
    if (rc == PORCH_EXIT_OK && confirm && (rc = pass_alloc(&again)) == PORCH_EXIT_OK) {
        rc = prompt_tty(tty, "Repeat passphrase: ", &again);
        if (rc == PORCH_EXIT_OK &&
            (again.len != p->len || sodium_memcmp(again.text, p->text, p->len) != 0))
            rc = cli_failf(PORCH_EXIT_USAGE, "/dev/tty", "the passphrases differ");
    }
    cli_pass_free(&again);
    close(tty);
    return rc;
}

int cli_pass_get(struct cli_pass *p, const char *file, int confirm)
{
    const char *env = getenv("PORCH_PASSPHRASE_FILE");
    int rc;

    if (!file && env && env[0])
        file = env;
    if (!file && !isatty(STDIN_FILENO))
        return cli_failf(PORCH_EXIT_USAGE, "passphrase",
                         "stdin is not a terminal: give --passphrase-file FILE "
                         "or set PORCH_PASSPHRASE_FILE");
    if ((rc = pass_alloc(p)) != PORCH_EXIT_OK)
        return rc;
    rc = file ? pass_from_file(p, file) : pass_from_tty(p, confirm);
    if (rc != PORCH_EXIT_OK)
        cli_pass_free(p);
    return rc;
}
