/*
 * fuzz_client_json: every JSON response decoder of lib/client on untrusted
 * bytes (a hostile or broken server). The first input byte picks the decoder;
 * the rest is the response body. Whatever decodes must satisfy the caps the
 * decoders promise (list sizes, blob sizes, valid camera ids).
 */
#include <stdlib.h>
#include <string.h>

#include "client/client_internal.h"
#include "porchlight/error.h"
#include "porchlight/notice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void lists(unsigned which, const uint8_t *p, size_t n)
{
    porch_clip_list cl;
    porch_notice_list nl;
    porch_grant_list gl;
    porch_notice_item ni;

    if (which == 0 && porch__json_clip_list(p, n, &cl) == PORCH_OK) {
        if (cl.n > PORCH_CLIENT_LIST_MAX)
            abort();
        for (size_t i = 0; i < cl.n; i++)
            if (!porch_camera_id_valid(cl.items[i].camera))
                abort();
        porch_clip_list_free(&cl);
    } else if (which == 1 && porch__json_notice_list(p, n, &nl) == PORCH_OK) {
        for (size_t i = 0; i < nl.n; i++)
            if (!nl.items[i].len || nl.items[i].len > PORCH_NOTICE_MAX_BYTES)
                abort();
        porch_notice_list_free(&nl);
    } else if (which == 2 && porch__json_grant_list(p, n, &gl) == PORCH_OK) {
        porch_grant_list_free(&gl);
    } else if (which == 3 && porch__json_notice(p, n, &ni) == PORCH_OK) {
        free(ni.data);
    }
}

static void singles(unsigned which, const uint8_t *p, size_t n)
{
    uint8_t b32[32], b16[16], *blob = NULL;
    char s[128];
    uint64_t seq;
    size_t len = 0;
    porch_role role;

    switch (which) {
    case 4: (void)porch__json_error(p, n, s, sizeof s); break;
    case 5: (void)porch__json_server_info(p, n, b32, s, sizeof s); break;
    case 6: (void)porch__json_challenge(p, n, b32); break;
    case 7: (void)porch__json_token(p, n, s, sizeof s, &role); break;
    case 8: (void)porch__json_household(p, n, b16, &seq); break;
    case 9: (void)porch__json_seq(p, n, &seq); break;
    case 10: (void)porch__json_grant_id(p, n, b16); break;
    case 11:
        if (porch__json_b64(p, n, "proof", 1, 2067, &blob, &len) == PORCH_OK &&
            (len < 1 || len > 2067))
            abort();
        break;
    default:
        if (porch__json_entries(p, n, 1000, &blob, &len) == PORCH_OK && len > 1000)
            abort();
        break;
    }
    free(blob);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned which = data[0] % 13u;
    if (which < 4)
        lists(which, data + 1, size - 1);
    else
        singles(which, data + 1, size - 1);
    return 0;
}
