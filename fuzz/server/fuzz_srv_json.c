/* fuzz_srv_json.c: porch_srv_parse_json (every JSON body) and the field
 * readers the routes use on it (hex ids, base64, integers). */
#include "fuzz_srv_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j = NULL;
    uint8_t hex[32], *b = NULL;
    size_t blen = 0;
    uint64_t v;
    int ret = porch_srv_parse_json(data, size, 64u << 10, &j);

    EXPECT(ret == PORCH_OK || ret == PORCH_ERR_BAD_REQUEST || ret == PORCH_ERR_TOO_LARGE);
    EXPECT((ret == PORCH_OK) == (j != NULL));
    if (!j)
        return 0;
    EXPECT(json_is_object(j));
    ret = porch_srv_json_hex(j, "household", hex, 16);
    EXPECT(ret == PORCH_OK || ret == PORCH_ERR_BAD_REQUEST);
    ret = porch_srv_json_b64(j, "grant", 4096, &b, &blen);
    EXPECT(ret == PORCH_OK || ret == PORCH_ERR_BAD_REQUEST || ret == PORCH_ERR_TOO_LARGE);
    EXPECT(ret != PORCH_OK || blen <= 4096);
    free(b);
    ret = porch_srv_json_u64(j, "length", &v);
    EXPECT(ret == PORCH_OK || ret == PORCH_ERR_BAD_REQUEST);
    json_decref(j);
    return 0;
}
