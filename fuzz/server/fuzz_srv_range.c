/* fuzz_srv_range.c: porch_srv_parse_range (the Range header). The first 8
 * bytes are the object size; an accepted range lies inside the object. */
#include "fuzz_srv_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t total = 0, a = 1, b = 1;

    if (size < 8)
        return 0;
    memcpy(&total, data, 8);
    total %= UINT64_C(1) << 41;
    int ret = porch_srv_parse_range((const char *)data + 8, size - 8, total, &a, &b);
    EXPECT(ret == PORCH_OK || ret == PORCH_ERR_BAD_REQUEST || ret == PORCH_ERR_TOO_LARGE);
    if (ret == PORCH_OK)
        EXPECT(a <= b && b < total);
    else
        EXPECT(a == 0 && b == 0);
    return 0;
}
