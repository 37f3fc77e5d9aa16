/*
 * check.h: the test harness. Each test program is its own process (meson
 * runs it with a timeout); a failed CHECK prints where and why, counts, and
 * the program exits non-zero at CHECK_DONE(). Exit code 77 means "skipped"
 * (meson's convention), used when optional test data is absent.
 */
#ifndef PORCH_TEST_CHECK_H
#define PORCH_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"

/* Per program; unused in support files that only REQUIRE or SKIP. */
static int check_failures_ __attribute__((unused));
static int check_count_ __attribute__((unused));

#define CHECK(cond)                                                          \
    do {                                                                     \
        check_count_++;                                                      \
        if (!(cond)) {                                                       \
            check_failures_++;                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                  \
        }                                                                    \
    } while (0)

/* Compares two porch error codes and names both on failure. */
#define CHECK_ERR(expr, want)                                                \
    do {                                                                     \
        int got_ = (expr), want_ = (want);                                   \
        check_count_++;                                                      \
        if (got_ != want_) {                                                 \
            check_failures_++;                                               \
            fprintf(stderr, "%s:%d: %s returned %s (%d), want %s (%d)\n",    \
                    __FILE__, __LINE__, #expr, porch_errname(got_), got_,    \
                    porch_errname(want_), want_);                            \
        }                                                                    \
    } while (0)

#define CHECK_OK(expr) CHECK_ERR((expr), PORCH_OK)

/* Aborts the test program at once: for failures after which nothing else can run. */
#define REQUIRE(cond)                                                        \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__,         \
                    __LINE__, #cond);                                        \
            exit(1);                                                         \
        }                                                                    \
    } while (0)

#define SKIP(why)                                                            \
    do {                                                                     \
        printf("SKIP: %s\n", why);                                           \
        exit(77);                                                            \
    } while (0)

#define CHECK_DONE()                                                         \
    (printf("%d checks, %d failed\n", check_count_, check_failures_),        \
     check_failures_ ? 1 : 0)

#endif
