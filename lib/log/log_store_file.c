/*
 * log_store_file.c: the file backend, an append-only file of leaf hashes.
 *
 *   offset 0   "porchlog" (8 bytes)
 *   offset 8   version u32 LE = 1
 *   offset 12  reserved u32 = 0
 *   offset 16  leaf hash 0, leaf hash 1, ... (32 bytes each)
 *
 * Durability: the header is created atomically (temporary file + rename), so
 * a file either has a whole header or does not exist. Each append writes 32
 * bytes at offset 16 + 32 * n and fsync()s before n is counted, so a leaf
 * the caller was told about survives a crash. A crash inside an append can
 * leave 1..31 bytes after the last whole leaf (a torn write); open() cuts
 * them off, because no caller was ever told about that leaf. The whole hash
 * of a torn write is never "repaired", so a half-written leaf cannot turn into
 * a different leaf. One process writes a file at a time (flock LOCK_EX).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log/log_internal.h"
#include "porchlight/file.h"
#include "util/bytes.h"

#define FILE_MAGIC "porchlog"
#define FILE_VERSION 1u
#define HEADER_BYTES 16u

struct file_store {
    porch_log_store base;   /* first: the public handle */
    int fd;                 /* O_RDWR, flock()ed */
    uint64_t n;             /* whole leaves in the file, all fsync()ed */
};

static off_t leaf_offset(uint64_t i)
{
    return (off_t)(HEADER_BYTES + i * PORCH_LOG_HASH_BYTES);
}

static int pwrite_all(int fd, const uint8_t *p, size_t len, off_t off)
{
    while (len) {
        ssize_t w = pwrite(fd, p, len, off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return PORCH_ERR_IO;
        p += w;
        len -= (size_t)w;
        off += w;
    }
    return PORCH_OK;
}

static int pread_all(int fd, uint8_t *p, size_t len, off_t off)
{
    while (len) {
        ssize_t r = pread(fd, p, len, off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return PORCH_ERR_IO;
        if (r == 0)
            return PORCH_ERR_TRUNCATED;
        p += r;
        len -= (size_t)r;
        off += r;
    }
    return PORCH_OK;
}

static int file_append(porch_log_store *s, const uint8_t hash[PORCH_LOG_HASH_BYTES])
{
    struct file_store *f = (struct file_store *)s;
    int ret;

    if (!porch__log_size_ok(f->n + 1))
        return PORCH_ERR_TOO_LARGE;
    ret = pwrite_all(f->fd, hash, PORCH_LOG_HASH_BYTES, leaf_offset(f->n));
    if (ret == PORCH_OK && fsync(f->fd) != 0)
        ret = PORCH_ERR_IO;
    if (ret != PORCH_OK) {
        /* Best effort: drop what may have reached the file, so the next
         * append lands at the same offset; open() would cut it anyway. */
        int saved = errno;
        if (ftruncate(f->fd, leaf_offset(f->n)) != 0)
            errno = saved;
        return ret;
    }
    f->n++;
    return PORCH_OK;
}

static int file_size(const porch_log_store *s, uint64_t *out)
{
    *out = ((const struct file_store *)s)->n;
    return PORCH_OK;
}

static int file_get(const porch_log_store *s, uint64_t index, uint8_t out[PORCH_LOG_HASH_BYTES])
{
    const struct file_store *f = (const struct file_store *)s;

    if (index >= f->n)
        return PORCH_ERR_INVALID_ARG;
    return pread_all(f->fd, out, PORCH_LOG_HASH_BYTES, leaf_offset(index));
}

static void file_destroy(porch_log_store *s)
{
    struct file_store *f = (struct file_store *)s;

    if (f->fd >= 0)
        close(f->fd);   /* also releases the flock */
    free(f);
}

static const porch_log_store_ops file_ops = {
    .append_leaf_hash = file_append,
    .size = file_size,
    .get_leaf_hash = file_get,
    .get_perfect_subtree = NULL,
    .destroy = file_destroy,
};

/* Creates the file with just a header, atomically, if it does not exist. */
static int create_if_absent(const char *path)
{
    uint8_t hdr[HEADER_BYTES];
    struct stat st;

    if (stat(path, &st) == 0)
        return PORCH_OK;
    if (errno != ENOENT)
        return PORCH_ERR_IO;
    memcpy(hdr, FILE_MAGIC, 8);
    porch__store_u32(hdr + 8, FILE_VERSION);
    porch__store_u32(hdr + 12, 0);
    return porch_file_write_atomic(path, hdr, sizeof hdr, 0600);
}

static int check_header(int fd)
{
    uint8_t hdr[HEADER_BYTES];
    int ret = pread_all(fd, hdr, sizeof hdr, 0);

    if (ret != PORCH_OK)
        return ret;
    if (memcmp(hdr, FILE_MAGIC, 8) != 0)
        return PORCH_ERR_BAD_MAGIC;
    if (porch__load_u32(hdr + 8) != FILE_VERSION)
        return PORCH_ERR_BAD_VERSION;
    return porch__load_u32(hdr + 12) == 0 ? PORCH_OK : PORCH_ERR_MALFORMED;
}

/* Counts whole leaves and cuts a torn tail (durably) if there is one. */
static int recover(struct file_store *f, size_t *torn)
{
    struct stat st;
    uint64_t body, tail;

    if (fstat(f->fd, &st) != 0)
        return PORCH_ERR_IO;
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size < HEADER_BYTES)
        return PORCH_ERR_TRUNCATED;
    body = (uint64_t)st.st_size - HEADER_BYTES;
    tail = body % PORCH_LOG_HASH_BYTES;
    f->n = body / PORCH_LOG_HASH_BYTES;
    if (!porch__log_size_ok(f->n))
        return PORCH_ERR_TOO_LARGE;
    if (tail && (ftruncate(f->fd, leaf_offset(f->n)) != 0 || fsync(f->fd) != 0))
        return PORCH_ERR_IO;
    if (torn)
        *torn = (size_t)tail;
    return PORCH_OK;
}

/* Ownership: *out belongs to the caller, released with porch_log_store_free(),
 * which also closes the file and drops the lock. */
int porch_log_store_file_open(porch_log_store **out, const char *path, size_t *torn_bytes)
{
    struct file_store *f = NULL;
    int ret = PORCH_ERR_INVALID_ARG;

    if (out)
        *out = NULL;
    if (torn_bytes)
        *torn_bytes = 0;
    if (!out || !path)
        goto out;
    ret = PORCH_ERR_NOMEM;
    if (!(f = calloc(1, sizeof *f)))
        goto out;
    f->base.ops = &file_ops;
    f->fd = -1;
    if ((ret = create_if_absent(path)) != PORCH_OK)
        goto out;
    ret = PORCH_ERR_IO;
    if ((f->fd = open(path, O_RDWR | O_CLOEXEC)) < 0 || flock(f->fd, LOCK_EX | LOCK_NB) != 0)
        goto out;
    if ((ret = check_header(f->fd)) != PORCH_OK || (ret = recover(f, torn_bytes)) != PORCH_OK)
        goto out;
    *out = &f->base;
    f = NULL;
out:
    if (f)
        file_destroy(&f->base);
    return ret;
}
