/* fuzz_srv_hex.c: porch_srv_parse_hex (ids in URLs and JSON). An accepted
 * input is exactly lower-case hex of the requested length and re-encodes
 * to itself; a refused one leaves the output zero. */
#include <stdio.h>

#include "fuzz_srv_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t out[64];
    size_t n = size ? data[0] % 65 : 0;
    const char *s = size ? (const char *)data + 1 : "";
    size_t len = size ? size - 1 : 0;
    int ret = porch_srv_parse_hex(s, len, out, n);

    EXPECT(ret == PORCH_OK || ret == PORCH_ERR_BAD_REQUEST);
    if (ret == PORCH_OK) {
        char back[3];
        EXPECT(len == 2 * n);
        for (size_t i = 0; i < n; i++) {
            snprintf(back, sizeof back, "%02x", out[i]);
            EXPECT(!memcmp(back, s + 2 * i, 2));
        }
    } else {
        for (size_t i = 0; i < n; i++)
            EXPECT(out[i] == 0);
    }
    return 0;
}
