/* fuzz_srv_common.h: shared bits of the server's request-parser fuzz targets. */
#ifndef PORCH_FUZZ_SRV_COMMON_H
#define PORCH_FUZZ_SRV_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "server/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Only the parsers' documented outcomes. */
#define EXPECT(c)      \
    do {               \
        if (!(c))      \
            abort();   \
    } while (0)

/* A NUL-terminated copy (the request strings MHD hands over are C strings). */
static inline char *fuzz_cstr(const uint8_t *d, size_t n)
{
    char *s = malloc(n + 1);

    if (s) {
        memcpy(s, d, n);
        s[n] = 0;
    }
    return s;
}

#endif
