/*
 * hex.h (internal): lowercase hex encoding, and a constant-time decoder
 * (libsodium's sodium_hex2bin) for anything that may be secret.
 */
#ifndef PORCH_UTIL_HEX_H
#define PORCH_UTIL_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Writes 2*len hex digits and a NUL to out; out_cap must be >= 2*len+1. */
int porch__hex_encode(char *out, size_t out_cap, const uint8_t *in, size_t len);
/* Decodes exactly out_len bytes from a hex string of exactly 2*out_len digits. */
int porch__hex_decode(uint8_t *out, size_t out_len, const char *hex);

#endif
