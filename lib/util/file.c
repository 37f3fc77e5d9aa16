/*
 * file.c: capped whole-file reads and crash-safe replacement (see file.h).
 * errno from the failing call is left for the caller to report.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "porchlight/error.h"
#include "porchlight/file.h"

static int read_all(int fd, uint8_t *buf, size_t want, size_t *got)
{
    *got = 0;
    while (*got < want) {
        ssize_t n = read(fd, buf + *got, want - *got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return PORCH_ERR_IO;
        if (n == 0)
            break;
        *got += (size_t)n;
    }
    return PORCH_OK;
}

int porch_file_read(const char *path, size_t max_len, uint8_t **out, size_t *out_len)
{
    struct stat st;
    uint8_t *buf = NULL;
    size_t got = 0;
    int fd = -1, ret = PORCH_ERR_INVALID_ARG;

    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if (!path || !out || !out_len || max_len == SIZE_MAX)
        goto out;
    ret = PORCH_ERR_IO;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0)
        goto out;
    if (!S_ISREG(st.st_mode)) {
        errno = EINVAL;
        goto out;
    }
    ret = PORCH_ERR_TOO_LARGE;
    if ((uint64_t)st.st_size > max_len)
        goto out;
    ret = PORCH_ERR_NOMEM;
    /* One byte more than fstat said detects a file that grew since. */
    if (!(buf = malloc((size_t)st.st_size + 1)))
        goto out;
    if ((ret = read_all(fd, buf, (size_t)st.st_size + 1, &got)) != PORCH_OK)
        goto out;
    ret = PORCH_ERR_TOO_LARGE;
    if (got > max_len)
        goto out;
    ret = PORCH_ERR_IO; /* the file changed size while we read it */
    if (got != (size_t)st.st_size)
        goto out;
    *out = buf;
    *out_len = got;
    buf = NULL;
    ret = PORCH_OK;
out:
    if (fd >= 0)
        close(fd);
    free(buf);
    return ret;
}

int porch_write_all(int fd, const uint8_t *data, size_t len)
{
    if (len && !data)
        return PORCH_ERR_INVALID_ARG;
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return PORCH_ERR_IO;
        data += n;
        len -= (size_t)n;
    }
    return PORCH_OK;
}

int porch_dir_sync(const char *dir)
{
    int fd, ret = PORCH_OK;

    if (!dir)
        return PORCH_ERR_INVALID_ARG;
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return PORCH_ERR_IO;
    if (fsync(fd) != 0)
        ret = PORCH_ERR_IO;
    close(fd);
    return ret;
}

static int fsync_parent(const char *path)
{
    char dir[PATH_MAX];
    if (strlen(path) >= sizeof dir)
        return PORCH_ERR_INVALID_ARG;
    memcpy(dir, path, strlen(path) + 1);
    return porch_dir_sync(dirname(dir));
}

int porch_file_write_atomic(const char *path, const uint8_t *data, size_t len, mode_t mode)
{
    char tmp[PATH_MAX];
    int fd = -1, ret = PORCH_ERR_INVALID_ARG, saved;

    if (!path || (len && !data) || snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof tmp)
        return ret;
    ret = PORCH_ERR_IO;
    if ((fd = mkstemp(tmp)) < 0)
        return ret;
    if (fchmod(fd, mode) != 0 || porch_write_all(fd, data, len) != PORCH_OK || fsync(fd) != 0)
        goto fail;
    saved = close(fd);
    fd = -1;
    if (saved != 0 || rename(tmp, path) != 0)
        goto fail;
    return fsync_parent(path);
fail:
    saved = errno;
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    errno = saved;
    return ret;
}
