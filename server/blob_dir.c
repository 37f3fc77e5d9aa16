/*
 * blob_dir.c: the directory blob store.
 *
 *   DATA/partial/HH-CLIP   upload in progress (append-only; fdatasync per PATCH)
 *   DATA/blobs/HH/CLIP     committed sealed clip (never modified, only shredded)
 *
 * Names are hex of fixed-size ids, never request text, so no path can
 * escape the data directory. A PATCH ends with fdatasync(partial) (and an
 * fsync of partial/ when it may have created the file: started on a thread
 * of its own when the PATCH opens, so it overlaps the body); while the body
 * arrives, write-back is started every 256 KiB, so the final fdatasync waits
 * for the tail. Commit = rename into blobs/HH/, then fsync(blobs/HH) on a
 * thread while the caller commits its row; the caller waits for both. Until
 * that fsync a crash may undo the rename with the row kept, so reading and
 * shredding a committed clip also look at its partial name: after a crash a
 * clip is wholly a partial or wholly a blob, and found either way. No fsync
 * is repeated: commit's bytes are those the acknowledged PATCHes already
 * made durable. Shred overwrites the header (which holds every wrap of the
 * content key) with random bytes and fsync()s before unlinking, so the
 * content key is unrecoverable even from the freed disk blocks.
 */
#define _GNU_SOURCE 1   /* sync_file_range */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "porchlight/file.h"
#include "server/store.h"
#include "util/hex.h"

struct dir_blobs {
    porch_srv_blobs base;
    char root[PATH_MAX - 128];
};

#define D(p) ((struct dir_blobs *)(p))

static void ids_hex(char hh_hex[33], char clip_hex[33], const uint8_t *hh, const uint8_t *clip)
{
    porch__hex_encode(hh_hex, 33, hh, PORCH_SRV_HH);
    porch__hex_encode(clip_hex, 33, clip, PORCH_SRV_CLIP);
}

static void partial_path(const struct dir_blobs *b, char *out, size_t cap, const uint8_t *hh,
                         const uint8_t *clip)
{
    char h[33], c[33];

    ids_hex(h, c, hh, clip);
    snprintf(out, cap, "%s/partial/%s-%s", b->root, h, c);
}

static void blob_dir_path(const struct dir_blobs *b, char *out, size_t cap, const uint8_t *hh)
{
    char h[33];

    porch__hex_encode(h, sizeof h, hh, PORCH_SRV_HH);
    snprintf(out, cap, "%s/blobs/%s", b->root, h);
}

static void blob_path(const struct dir_blobs *b, char *out, size_t cap, const uint8_t *hh,
                      const uint8_t *clip)
{
    char h[33], c[33];

    ids_hex(h, c, hh, clip);
    snprintf(out, cap, "%s/blobs/%s/%s", b->root, h, c);
}

static int mkdir_p1(const char *path)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST)
        return PORCH_OK;
    return PORCH_ERR_IO;
}

/* ---- background directory fsync ---- */

static void *dirsync_run(void *arg)
{
    porch_srv_dirsync *d = arg;

    d->ret = fsync(d->fd) == 0 ? PORCH_OK : PORCH_ERR_IO;
    return NULL;
}

/* Starts fsync(dir) on a thread of its own; without a thread, syncs here. */
static int dirsync_start(porch_srv_dirsync *d, const char *dir)
{
    memset(d, 0, sizeof *d);
    if ((d->fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return PORCH_ERR_IO;
    d->on = 1;
    if (pthread_create(&d->thread, NULL, dirsync_run, d) != 0) {
        d->on = 2;   /* no thread: synced inline, nothing to join */
        dirsync_run(d);
    }
    return PORCH_OK;
}

/* Waits for the fsync; PORCH_OK when none was pending. */
static int dirsync_wait(porch_srv_dirsync *d)
{
    int ret = PORCH_OK;

    if (!d->on)
        return ret;
    if (d->on == 1)
        pthread_join(d->thread, NULL);
    ret = d->ret;
    close(d->fd);
    memset(d, 0, sizeof *d);
    return ret;
}

/* ---- uploads ---- */

#define KICK_BYTES (256u * 1024u)

static int append_open(porch_srv_blobs *pb, const uint8_t hh[PORCH_SRV_HH],
                       const uint8_t clip[PORCH_SRV_CLIP], uint64_t offset, porch_srv_append *a)
{
    char path[PATH_MAX];
    int f, ret = PORCH_OK;

    memset(a, 0, sizeof *a);
    a->fd = -1;
    partial_path(D(pb), path, sizeof path, hh, clip);
    f = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (f < 0)
        return PORCH_ERR_IO;
    /* Bytes past the durable offset were never acknowledged: drop them. */
    if (ftruncate(f, (off_t)offset) != 0 || lseek(f, (off_t)offset, SEEK_SET) < 0) {
        close(f);
        return PORCH_ERR_IO;
    }
    if (offset == 0) {   /* the name may be new: make it durable while the body arrives */
        snprintf(path, sizeof path, "%s/partial", D(pb)->root);
        ret = dirsync_start(&a->name, path);
    }
    if (ret != PORCH_OK) {
        close(f);
        return ret;
    }
    a->fd = f;
    a->start = offset;
    return PORCH_OK;
}

/* Writes, and starts the device writing every KICK_BYTES: by the end of the
 * body most of it is on its way and append_finish's fdatasync waits for the
 * tail only. sync_file_range only starts write-back (no durability claimed
 * from it); a failure there is ignored, fdatasync decides. */
static int append_write(porch_srv_blobs *pb, porch_srv_append *a, const uint8_t *data,
                        size_t len)
{
    int ret;

    (void)pb;
    if ((ret = porch_write_all(a->fd, data, len)) != PORCH_OK)
        return ret;
    a->written += len;
    if (a->written - a->kicked >= KICK_BYTES) {
        (void)sync_file_range(a->fd, (off_t)(a->start + a->kicked),
                              (off_t)(a->written - a->kicked), SYNC_FILE_RANGE_WRITE);
        a->kicked = a->written;
    }
    return PORCH_OK;
}

static int append_finish(porch_srv_blobs *pb, porch_srv_append *a)
{
    int ret = fdatasync(a->fd) == 0 ? PORCH_OK : PORCH_ERR_IO;   /* size included */
    int dret;

    (void)pb;
    if (close(a->fd) != 0)
        ret = PORCH_ERR_IO;
    a->fd = -1;
    dret = dirsync_wait(&a->name);   /* the partial's name is durable too */
    return ret != PORCH_OK ? ret : dret;
}

static void append_abort(porch_srv_blobs *pb, porch_srv_append *a)
{
    (void)pb;
    if (a->fd >= 0)
        close(a->fd);
    a->fd = -1;
    dirsync_wait(&a->name);
}

static int partial_open(porch_srv_blobs *pb, const uint8_t hh[PORCH_SRV_HH],
                        const uint8_t clip[PORCH_SRV_CLIP], int *fd)
{
    char path[PATH_MAX];

    partial_path(D(pb), path, sizeof path, hh, clip);
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0 && errno == ENOENT) {
        /* A crash between rename and the metadata commit leaves the bytes here. */
        blob_path(D(pb), path, sizeof path, hh, clip);
        *fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (*fd >= 0)
        return PORCH_OK;
    return errno == ENOENT ? PORCH_ERR_NOT_FOUND : PORCH_ERR_IO;
}

static int partial_delete(porch_srv_blobs *pb, const uint8_t hh[PORCH_SRV_HH],
                          const uint8_t clip[PORCH_SRV_CLIP])
{
    char path[PATH_MAX];

    partial_path(D(pb), path, sizeof path, hh, clip);
    if (unlink(path) != 0 && errno != ENOENT)
        return PORCH_ERR_IO;
    return PORCH_OK;
}

static int commit(porch_srv_blobs *pb, const uint8_t hh[PORCH_SRV_HH],
                  const uint8_t clip[PORCH_SRV_CLIP], porch_srv_dirsync *pending)
{
    char from[PATH_MAX], to[PATH_MAX], dir[PATH_MAX];
    struct stat st;
    int ret;

    memset(pending, 0, sizeof *pending);
    partial_path(D(pb), from, sizeof from, hh, clip);
    blob_dir_path(D(pb), dir, sizeof dir, hh);
    blob_path(D(pb), to, sizeof to, hh, clip);
    if (stat(from, &st) != 0)
        return (errno == ENOENT && stat(to, &st) == 0) ? PORCH_OK : PORCH_ERR_IO;
    ret = mkdir_p1(dir);
    if (ret == PORCH_OK && rename(from, to) != 0)
        ret = PORCH_ERR_IO;
    if (ret == PORCH_OK)
        ret = dirsync_start(pending, dir);
    return ret;
}

static int commit_wait(porch_srv_blobs *pb, porch_srv_dirsync *pending)
{
    (void)pb;
    return dirsync_wait(pending);
}

/* Opens the committed blob, or its partial: a crash before commit's directory
 * fsync was done may have undone the rename while the row survived. */
static int open_committed(const struct dir_blobs *b, const uint8_t *hh, const uint8_t *clip,
                          int flags, char *path, size_t cap)
{
    int fd;

    blob_path(b, path, cap, hh, clip);
    if ((fd = open(path, flags | O_CLOEXEC)) >= 0 || errno != ENOENT)
        return fd;
    partial_path(b, path, cap, hh, clip);
    if ((fd = open(path, flags | O_CLOEXEC)) < 0 && errno == ENOENT) {
        blob_path(b, path, cap, hh, clip);   /* report the blob's name */
        errno = ENOENT;
    }
    return fd;
}

static int blob_open(porch_srv_blobs *pb, const uint8_t hh[PORCH_SRV_HH],
                     const uint8_t clip[PORCH_SRV_CLIP], int *fd, uint64_t *size)
{
    char path[PATH_MAX];
    struct stat st;

    *fd = open_committed(D(pb), hh, clip, O_RDONLY, path, sizeof path);
    if (*fd < 0)
        return errno == ENOENT ? PORCH_ERR_NOT_FOUND : PORCH_ERR_IO;
    if (fstat(*fd, &st) != 0) {
        close(*fd);
        *fd = -1;
        return PORCH_ERR_IO;
    }
    *size = (uint64_t)st.st_size;
    return PORCH_OK;
}

static int overwrite_random(int fd, uint32_t len)
{
    uint8_t buf[4096];
    off_t off = 0;

    while (len) {
        size_t n = len < sizeof buf ? len : sizeof buf;
        randombytes_buf(buf, n);
        if (pwrite(fd, buf, n, off) != (ssize_t)n)
            return PORCH_ERR_IO;
        off += (off_t)n;
        len -= (uint32_t)n;
    }
    return fsync(fd) == 0 ? PORCH_OK : PORCH_ERR_IO;
}

static int shred(porch_srv_blobs *pb, const uint8_t hh[PORCH_SRV_HH],
                 const uint8_t clip[PORCH_SRV_CLIP], uint32_t header_len)
{
    char path[PATH_MAX], dir[PATH_MAX];
    int fd, ret;

    if ((fd = open_committed(D(pb), hh, clip, O_WRONLY, path, sizeof path)) < 0)
        return errno == ENOENT ? PORCH_ERR_NOT_FOUND : PORCH_ERR_IO;
    snprintf(dir, sizeof dir, "%s", path);   /* the directory of whichever name was found */
    if (strrchr(dir, '/'))
        *strrchr(dir, '/') = 0;
    ret = overwrite_random(fd, header_len);
    close(fd);
    if (ret == PORCH_OK && unlink(path) != 0)
        ret = PORCH_ERR_IO;
    if (ret == PORCH_OK)
        ret = porch_dir_sync(dir);
    return ret;
}

static void blobs_close(porch_srv_blobs *pb)
{
    free(pb);
}

static const porch_srv_blobs_ops dir_ops = {
    .append_open = append_open, .append_write = append_write,
    .append_finish = append_finish, .append_abort = append_abort,
    .partial_open = partial_open, .partial_delete = partial_delete, .commit = commit,
    .commit_wait = commit_wait,
    .open = blob_open, .shred = shred, .close = blobs_close,
};

/* Ownership: *out released with (*out)->ops->close(*out). */
int porch_srv_blobs_dir_open(porch_srv_blobs **out, const char *data_dir)
{
    struct dir_blobs *b;
    char path[PATH_MAX];
    int ret;

    *out = NULL;
    if (strlen(data_dir) >= sizeof b->root)
        return PORCH_ERR_INVALID_ARG;
    if (!(b = calloc(1, sizeof *b)))
        return PORCH_ERR_NOMEM;
    b->base.ops = &dir_ops;
    snprintf(b->root, sizeof b->root, "%s", data_dir);
    snprintf(path, sizeof path, "%s/blobs", data_dir);
    ret = mkdir_p1(path);
    snprintf(path, sizeof path, "%s/partial", data_dir);
    if (ret == PORCH_OK)
        ret = mkdir_p1(path);
    if (ret != PORCH_OK) {
        free(b);
        return ret;
    }
    *out = &b->base;
    return PORCH_OK;
}
