/*
 * tls.c: the TLS certificate and key files (tls_cert, tls_key), read and
 * checked with GnuTLS before the daemon starts, so a bad file is reported by
 * key and path. libmicrohttpd only says that its credentials did not load,
 * which an operator cannot tell from a port already in use.
 */
#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "porchlight/file.h"
#include "server/srv.h"

#define PEM_MAX (1u << 20)

/* Ownership: *out NUL-terminated, released by the caller: the key (secret)
 * with sodium_free(), the certificate with free(). */
static int read_pem(const char *key, const char *path, int secret, char **out, char *err,
                    size_t cap)
{
    uint8_t *b = NULL;
    size_t len = 0;
    int ret;

    *out = NULL;
    if ((ret = porch_file_read(path, PEM_MAX, &b, &len)) != PORCH_OK) {
        snprintf(err, cap, "%s %s: cannot read (%s)", key, path,
                 ret == PORCH_ERR_IO ? strerror(errno) : porch_strerror(ret));
        return ret;
    }
    char *t = secret ? sodium_malloc(len + 1) : malloc(len + 1);
    if (t) {
        memcpy(t, b, len);
        t[len] = 0;
    }
    sodium_memzero(b, len);
    free(b);
    *out = t;
    return t ? PORCH_OK : PORCH_ERR_NOMEM;
}

/* The certificate parses, the key parses, and they belong together. */
static int check_pair(const porch_srv_config *cfg, const char *cert, const char *key,
                      char *err, size_t cap)
{
    gnutls_datum_t c = { (unsigned char *)(uintptr_t)cert, (unsigned)strlen(cert) };
    gnutls_datum_t k = { (unsigned char *)(uintptr_t)key, (unsigned)strlen(key) };
    gnutls_x509_crt_t crt = NULL;
    gnutls_x509_privkey_t pk = NULL;
    gnutls_certificate_credentials_t cred = NULL;
    int g, ret = PORCH_ERR_CONFIG;

    if (gnutls_x509_crt_init(&crt) < 0 || gnutls_x509_privkey_init(&pk) < 0 ||
        gnutls_certificate_allocate_credentials(&cred) < 0) {
        ret = PORCH_ERR_NOMEM;
        goto out;
    }
    if ((g = gnutls_x509_crt_import(crt, &c, GNUTLS_X509_FMT_PEM)) < 0)
        snprintf(err, cap, "tls_cert %s: not a PEM certificate (%s)", cfg->tls_cert,
                 gnutls_strerror(g));
    else if ((g = gnutls_x509_privkey_import2(pk, &k, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0)
        snprintf(err, cap, "tls_key %s: not a PEM private key (%s)", cfg->tls_key,
                 gnutls_strerror(g));
    else if ((g = gnutls_certificate_set_x509_key_mem2(cred, &c, &k, GNUTLS_X509_FMT_PEM, NULL,
                                                       0)) < 0)
        snprintf(err, cap, "tls_key %s does not go with tls_cert %s (%s)", cfg->tls_key,
                 cfg->tls_cert, gnutls_strerror(g));
    else
        ret = PORCH_OK;
out:
    gnutls_certificate_free_credentials(cred);
    gnutls_x509_privkey_deinit(pk);
    gnutls_x509_crt_deinit(crt);
    return ret;
}

int porch_srv_tls_load(const porch_srv_config *cfg, char **cert, char **key, char *err,
                       size_t cap)
{
    int ret;

    *cert = *key = NULL;
    err[0] = 0;
    if (!cfg->tls_cert[0] && !cfg->tls_key[0])
        return PORCH_OK;
    if ((ret = porch_init()) != PORCH_OK)   /* sodium_malloc needs it */
        return ret;
    if (!cfg->tls_cert[0] || !cfg->tls_key[0]) {
        snprintf(err, cap, "tls_cert and tls_key go together (only %s is set)",
                 cfg->tls_cert[0] ? "tls_cert" : "tls_key");
        return PORCH_ERR_CONFIG;
    }
    if ((ret = read_pem("tls_cert", cfg->tls_cert, 0, cert, err, cap)) != PORCH_OK ||
        (ret = read_pem("tls_key", cfg->tls_key, 1, key, err, cap)) != PORCH_OK ||
        (ret = check_pair(cfg, *cert, *key, err, cap)) != PORCH_OK)
        goto out;
    return PORCH_OK;
out:
    porch_srv_tls_free(*cert, *key);
    *cert = *key = NULL;
    return ret;
}

void porch_srv_tls_free(char *cert, char *key)
{
    free(cert);
    sodium_free(key);   /* wipes; NULL-safe */
}
