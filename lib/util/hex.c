/* hex.c: hex helpers over libsodium's constant-time codecs. */
#include <string.h>

#include <sodium.h>

#include "porchlight/error.h"
#include "util/hex.h"

int porch__hex_encode(char *out, size_t out_cap, const uint8_t *in, size_t len)
{
    if (!out || (len && !in) || len > (SIZE_MAX - 1) / 2 || out_cap < 2 * len + 1)
        return PORCH_ERR_INVALID_ARG;
    sodium_bin2hex(out, out_cap, in, len);
    return PORCH_OK;
}

int porch__hex_decode(uint8_t *out, size_t out_len, const char *hex)
{
    size_t got = 0;
    if (!out || !hex)
        return PORCH_ERR_INVALID_ARG;
    memset(out, 0, out_len);
    if (strlen(hex) != 2 * out_len ||
        sodium_hex2bin(out, out_len, hex, 2 * out_len, NULL, &got, NULL) != 0 ||
        got != out_len) {
        sodium_memzero(out, out_len);
        return PORCH_ERR_MALFORMED;
    }
    return PORCH_OK;
}
