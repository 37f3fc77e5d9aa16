/*
 * porchlight/file.h: whole-file reads with a size cap, and atomic writes.
 *
 * Atomic write: a temporary file in the same directory, write, fsync,
 * rename over the target, fsync the directory. After a crash the target is
 * either the old or the new content, never a mix.
 */
#ifndef PORCHLIGHT_FILE_H
#define PORCHLIGHT_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Reads a whole file of at most max_len bytes (PORCH_ERR_TOO_LARGE beyond).
 * Ownership: *out is malloc()ed (never NULL on success, even for an empty
 * file) and owned by the caller, released with free().
 */
int porch_file_read(const char *path, size_t max_len, uint8_t **out, size_t *out_len);

/* Writes all len bytes to fd, retrying short writes and EINTR (errno kept on failure). */
int porch_write_all(int fd, const uint8_t *data, size_t len);

/* fsync()s the directory dir, making the names created or renamed in it
 * durable. */
int porch_dir_sync(const char *dir);

/* Replaces path atomically with data, created with permission bits mode. */
int porch_file_write_atomic(const char *path, const uint8_t *data, size_t len, mode_t mode);

#ifdef __cplusplus
}
#endif

#endif
