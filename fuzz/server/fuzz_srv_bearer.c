/* fuzz_srv_bearer.c: porch_srv_parse_bearer (the Authorization header). */
#include "fuzz_srv_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t tok[32];
    int ret = porch_srv_parse_bearer((const char *)data, size, tok);

    EXPECT(ret == PORCH_OK || ret == PORCH_ERR_BAD_REQUEST);
    if (ret == PORCH_OK)
        EXPECT(size == 50 && !memcmp(data, "Bearer ", 7));
    return 0;
}
