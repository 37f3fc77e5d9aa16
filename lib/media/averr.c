/*
 * averr.c: FFmpeg's AVERROR codes (negated errnos and FourCC tags) to the
 * porch convention. Only the distinctions a caller can act on are kept:
 * out of memory, a file-system failure (errno preserved), and "FFmpeg could
 * not handle the media" (the caller's fallback).
 */
#include <errno.h>

#include <libavutil/error.h>

#include "porchlight/error.h"
#include "media/media_internal.h"

/* errnos that mean "the path could not be opened or read". */
static int is_io_errno(int e)
{
    return e == ENOENT || e == EACCES || e == EPERM || e == EIO ||
           e == EISDIR || e == ENOTDIR || e == ENAMETOOLONG || e == ELOOP;
}

int porch__averr(int averr, int fallback)
{
    if (averr >= 0)
        return PORCH_OK;
    if (averr == AVERROR(ENOMEM))
        return PORCH_ERR_NOMEM;
    if (is_io_errno(AVUNERROR(averr))) {
        errno = AVUNERROR(averr);
        return PORCH_ERR_IO;
    }
    return fallback;
}
