/* fuzz_srv_u64.c: porch_srv_parse_u64 (Upload-Offset, Content-Length,
 * Last-Event-ID, query integers). Accepted values print back to the input:
 * one spelling per number. */
#include <stdio.h>

#include "fuzz_srv_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t v = 1, max = UINT64_MAX;
    char back[32];

    if (size && data[0] & 1)
        max = UINT64_C(1) << 40;
    int ret = porch_srv_parse_u64((const char *)data, size, max, &v);
    EXPECT(ret == PORCH_OK || ret == PORCH_ERR_BAD_REQUEST);
    if (ret == PORCH_OK) {
        EXPECT(v <= max);
        snprintf(back, sizeof back, "%llu", (unsigned long long)v);
        EXPECT(strlen(back) == size && !memcmp(back, data, size));
    } else {
        EXPECT(v == 0);
    }
    return 0;
}
