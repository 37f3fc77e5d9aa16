/*
 * outfile.c: streamed output that appears atomically.
 *
 * Bytes go to "<path>.tmp-XXXXXX" in the target's directory (mkstemp: mode
 * 0600 while incomplete); commit fsyncs, sets the final mode, renames over
 * the target and fsyncs the directory. Until commit the target is untouched,
 * so a failed seal or open never leaves a partial clip or video behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "porchlight/error.h"
#include "porchlight/file.h"

#include "common.h"

int cli_out_open(struct cli_out *o, const char *path, mode_t mode)
{
    size_t n = strlen(path) + sizeof ".tmp-XXXXXX";

    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->path = path;
    o->mode = mode;
    if (!(o->tmp = malloc(n)))
        return cli_fail(PORCH_ERR_NOMEM, path, NULL);
    snprintf(o->tmp, n, "%s.tmp-XXXXXX", path);
    if ((o->fd = mkstemp(o->tmp)) < 0) {
        int rc = cli_fail(PORCH_ERR_IO, path, "cannot create a temporary file beside it");
        free(o->tmp);
        o->tmp = NULL;
        return rc;
    }
    return PORCH_EXIT_OK;
}

int cli_out_write(struct cli_out *o, const uint8_t *data, size_t len)
{
    int ret = porch_write_all(o->fd, data, len);
    if (ret == PORCH_OK)
        o->bytes += (uint64_t)len;
    return ret;
}

/* fsync()s the directory holding path: 0 or -1. */
static int sync_dir(const char *path)
{
    char *copy = strdup(path);
    int ret;

    if (!copy)
        return -1;
    ret = porch_dir_sync(dirname(copy));
    free(copy);
    return ret == PORCH_OK ? 0 : -1;
}

int cli_out_commit(struct cli_out *o)
{
    int fd = o->fd;

    o->fd = -1;
    if (fchmod(fd, o->mode) != 0 || fsync(fd) != 0) {
        close(fd);
        return cli_fail(PORCH_ERR_IO, o->tmp, "cannot write");
    }
    if (close(fd) != 0 || rename(o->tmp, o->path) != 0)
        return cli_fail(PORCH_ERR_IO, o->path, "cannot move the finished file into place");
    free(o->tmp);
    o->tmp = NULL;
    if (sync_dir(o->path) != 0)
        return cli_fail(PORCH_ERR_IO, o->path, "cannot sync its directory");
    return PORCH_EXIT_OK;
}

void cli_out_abort(struct cli_out *o)
{
    if (o->fd >= 0)
        close(o->fd);
    o->fd = -1;
    if (o->tmp)
        unlink(o->tmp);
    free(o->tmp);
    o->tmp = NULL;
}
