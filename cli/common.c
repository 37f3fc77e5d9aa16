/*
 * common.c: exit codes, error reports and small utilities of the CLI.
 *
 * Exit code policy (docs/CLI.md): a failure of the environment (I/O, memory,
 * libsodium) is 3, a caller's mistake the library caught is 2, and anything
 * else the library rejects means the data is bad or not for this device: 1.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "porchlight/error.h"
#include "porchlight/file.h"

#include "common.h"

int cli_exit_for(int err)
{
    switch (err) {
    case PORCH_OK:
        return PORCH_EXIT_OK;
    case PORCH_ERR_IO:
    case PORCH_ERR_NOMEM:
    case PORCH_ERR_CRYPTO:
    case PORCH_ERR_HTTP:
    case PORCH_ERR_SERVER:
        return PORCH_EXIT_ENV;
    case PORCH_ERR_INVALID_ARG:
        return PORCH_EXIT_USAGE;
    default:
        return PORCH_EXIT_BAD;
    }
}

int cli_fail(int err, const char *where, const char *ctx, ...)
{
    int saved = errno;
    va_list ap;

    fprintf(stderr, "porch: %s: ", where ? where : "(no file)");
    if (ctx) {
        va_start(ap, ctx);
        vfprintf(stderr, ctx, ap);
        va_end(ap);
        fputs(": ", stderr);
    }
    fputs(porch_strerror(err), stderr);
    if (err == PORCH_ERR_IO && saved != 0)
        fprintf(stderr, " (%s)", strerror(saved));
    fprintf(stderr, " [%s]\n", porch_errname(err));
    return cli_exit_for(err);
}

int cli_failf(int exit_code, const char *where, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "porch: %s: ", where ? where : "(no file)");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return exit_code;
}

int cli_read(const char *path, size_t cap, const char *what, uint8_t **out, size_t *len)
{
    int ret;

    errno = 0;
    ret = porch_file_read(path, cap, out, len);
    if (ret == PORCH_ERR_TOO_LARGE)
        return cli_failf(PORCH_EXIT_BAD, path, "%s: larger than %zu bytes: not a %s [%s]",
                         what, cap, what, porch_errname(ret));
    if (ret != PORCH_OK)
        return cli_fail(ret, path, "cannot read %s", what);
    return PORCH_EXIT_OK;
}

int cli_write(const char *path, const uint8_t *data, size_t len, mode_t mode)
{
    int ret;

    errno = 0;
    ret = porch_file_write_atomic(path, data, len, mode);
    return ret == PORCH_OK ? PORCH_EXIT_OK : cli_fail(ret, path, "cannot write");
}

int cli_exists(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
}

void cli_hex(char *out, const uint8_t *in, size_t len)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}

void cli_time_str(char *out, size_t cap, uint64_t unix_us)
{
    time_t secs = (time_t)(unix_us / 1000000u);
    struct tm tm;
    char day[24];

    if (!gmtime_r(&secs, &tm) || strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
        snprintf(out, cap, "@%llu us", (unsigned long long)unix_us);
        return;
    }
    snprintf(out, cap, "%s.%06uZ", day, (unsigned)(unix_us % 1000000u));
}

uint64_t cli_now_us(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void cli_printable(char *out, size_t cap, const char *text)
{
    size_t i = 0;

    for (; text[i] && i + 1 < cap; i++)
        out[i] = ((unsigned char)text[i] < 0x20 || text[i] == 0x7f) ? '?' : text[i];
    out[i] = '\0';
}
