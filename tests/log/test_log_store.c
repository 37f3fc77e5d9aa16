/*
 * test_log_store.c: the store backends. The file store must give the same
 * leaves and roots as the memory store, survive reopening, and after a torn
 * final write (simulated by appending part of a hash) reopen at the last
 * complete leaf and keep appending at the right place. Damaged headers and a
 * second writer are refused.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "porchlight/log.h"

static char dir[4096];

static void entry(uint8_t out[8], unsigned i)
{
    memcpy(out, "leaf", 4);
    out[4] = (uint8_t)i;
    out[5] = (uint8_t)(i >> 8);
    out[6] = 0xee;
    out[7] = 0xff;
}

static void fill(porch_log_store *s, unsigned from, unsigned to)
{
    uint8_t e[8];
    uint64_t idx;

    for (unsigned i = from; i < to; i++) {
        entry(e, i);
        CHECK_OK(porch_log_append(s, e, sizeof e, &idx));
        CHECK(idx == i);
    }
}

static void same_root(const porch_log_store *a, const porch_log_store *b)
{
    uint8_t ra[32], rb[32];
    uint64_t na = 0, nb = 1;

    CHECK_OK(porch_log_store_size(a, &na));
    CHECK_OK(porch_log_store_size(b, &nb));
    CHECK(na == nb);
    CHECK_OK(porch_log_root(a, na, ra));
    CHECK_OK(porch_log_root(b, nb, rb));
    CHECK(memcmp(ra, rb, 32) == 0);
}

static off_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

static void append_raw(const char *path, const void *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_APPEND);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, p, n) == (ssize_t)n);
    close(fd);
}

static void test_mem_growth(void)
{
    porch_log_store *s = NULL;
    uint8_t leaf[32], want[32], e[8];
    uint64_t n = 0;

    CHECK_OK(porch_log_store_mem_new(&s));
    fill(s, 0, 1000);
    CHECK_OK(porch_log_store_size(s, &n));
    CHECK(n == 1000);
    entry(e, 777);
    porch_log_leaf_hash(want, e, sizeof e);
    CHECK_OK(porch_log_store_leaf(s, 777, leaf));
    CHECK(memcmp(leaf, want, 32) == 0);
    CHECK_ERR(porch_log_store_leaf(s, 1000, leaf), PORCH_ERR_INVALID_ARG);
    porch_log_store_free(s);
}

static void test_file_roundtrip_and_torn(void)
{
    char path[4200];
    porch_log_store *f = NULL, *m = NULL, *again = NULL;
    uint8_t partial[31];
    size_t torn = 99;

    snprintf(path, sizeof path, "%s/log.bin", dir);
    CHECK_OK(porch_log_store_mem_new(&m));
    CHECK_OK(porch_log_store_file_open(&f, path, &torn));
    CHECK(torn == 0 && file_size(path) == 16);
    fill(f, 0, 10);
    fill(m, 0, 10);
    same_root(f, m);
    CHECK(file_size(path) == 16 + 10 * 32);
    /* A second writer is refused while the first holds the file. */
    CHECK_ERR(porch_log_store_file_open(&again, path, NULL), PORCH_ERR_IO);
    CHECK(again == NULL);
    porch_log_store_free(f);
    /* Torn writes of 1..31 bytes: reopen at the last whole leaf, every time. */
    memset(partial, 0x5a, sizeof partial);
    for (size_t cut = 1; cut <= sizeof partial; cut += 6) {
        append_raw(path, partial, cut);
        CHECK_OK(porch_log_store_file_open(&f, path, &torn));
        CHECK(torn == cut);
        CHECK(file_size(path) == 16 + 10 * 32);
        same_root(f, m);
        porch_log_store_free(f);
    }
    /* And appending after recovery lands where the torn leaf was. */
    CHECK_OK(porch_log_store_file_open(&f, path, &torn));
    CHECK(torn == 0);
    fill(f, 10, 75);
    fill(m, 10, 75);
    same_root(f, m);
    porch_log_store_free(f);
    CHECK_OK(porch_log_store_file_open(&f, path, NULL));
    same_root(f, m);
    porch_log_store_free(f);
    porch_log_store_free(m);
    unlink(path);
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *fp = fopen(path, "wb");
    REQUIRE(fp && fwrite(p, 1, n, fp) == n);
    fclose(fp);
}

static void test_file_bad_headers(void)
{
    static const uint8_t good[16] = { 'p', 'o', 'r', 'c', 'h', 'l', 'o', 'g',
                                      1,   0,   0,   0,   0,   0,   0,   0 };
    uint8_t hdr[16];
    char path[4200];
    porch_log_store *f = (porch_log_store *)(void *)dir;   /* must be reset to NULL */

    snprintf(path, sizeof path, "%s/bad.bin", dir);
    write_file(path, good, 5);
    CHECK_ERR(porch_log_store_file_open(&f, path, NULL), PORCH_ERR_TRUNCATED);
    CHECK(f == NULL);
    memcpy(hdr, good, 16);
    hdr[0] = 'P';
    write_file(path, hdr, 16);
    CHECK_ERR(porch_log_store_file_open(&f, path, NULL), PORCH_ERR_BAD_MAGIC);
    memcpy(hdr, good, 16);
    hdr[8] = 2;
    write_file(path, hdr, 16);
    CHECK_ERR(porch_log_store_file_open(&f, path, NULL), PORCH_ERR_BAD_VERSION);
    memcpy(hdr, good, 16);
    hdr[15] = 1;
    write_file(path, hdr, 16);
    CHECK_ERR(porch_log_store_file_open(&f, path, NULL), PORCH_ERR_MALFORMED);
    write_file(path, good, 16);
    CHECK_OK(porch_log_store_file_open(&f, path, NULL));
    porch_log_store_free(f);
    unlink(path);
    snprintf(path, sizeof path, "%s/no/such/dir/log.bin", dir);
    CHECK_ERR(porch_log_store_file_open(&f, path, NULL), PORCH_ERR_IO);
    CHECK_ERR(porch_log_store_file_open(&f, NULL, NULL), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_log_store_file_open(NULL, path, NULL), PORCH_ERR_INVALID_ARG);
}

int main(void)
{
    const char *base = getenv("PORCH_BUILD_DIR");

    REQUIRE(porch_init() == PORCH_OK);
    snprintf(dir, sizeof dir, "%s/test_log_store.XXXXXX", base ? base : "/tmp");
    REQUIRE(mkdtemp(dir) != NULL);
    test_mem_growth();
    test_file_roundtrip_and_torn();
    test_file_bad_headers();
    rmdir(dir);
    return CHECK_DONE();
}
