/* fuzz_srv_args.c: the query-argument collector and its typed readers. The
 * input is split like a query string ('&' between pairs, '=' in a pair). */
#include "fuzz_srv_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const allowed[] = { "camera", "from_us", "to_us", "limit", "after", NULL };
    porch_srv_args a;
    char *q = fuzz_cstr(data, size), *save = NULL, *pair;
    uint64_t v;
    int ret;

    if (!q)
        return 0;
    memset(&a, 0, sizeof a);
    for (pair = strtok_r(q, "&", &save); pair; pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '=');
        if (eq)
            *eq++ = 0;
        porch_srv_args_add(&a, pair, eq);
    }
    EXPECT(a.n <= PORCH_SRV_MAX_ARGS);
    ret = porch_srv_args_only(&a, allowed);
    EXPECT(ret == PORCH_OK || ret == PORCH_ERR_BAD_REQUEST);
    ret = porch_srv_args_u64(&a, "limit", 1000, 100, &v);
    EXPECT(ret == PORCH_OK || ret == PORCH_ERR_BAD_REQUEST);
    EXPECT(ret != PORCH_OK || v <= 1000);
    free(q);
    return 0;
}
