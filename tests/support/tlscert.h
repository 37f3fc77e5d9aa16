/*
 * tlscert.h (tests only): self-signed certificates for https tests on
 * loopback, made at test time with certtool (Debian gnutls-bin, installed
 * by scripts/deps.sh).
 */
#ifndef PORCH_TEST_TLSCERT_H
#define PORCH_TEST_TLSCERT_H

#include <stddef.h>

/* Writes DIR/NAME.crt, a certificate for 127.0.0.1 that is its own CA, and
 * DIR/NAME.key, its ECDSA key; their paths go to cert and key (cap bytes
 * each). Skips the test (77) when certtool is not installed; REQUIREs that
 * it works otherwise. */
void tls_make_cert(const char *dir, const char *name, char *cert, char *key, size_t cap);

#endif
