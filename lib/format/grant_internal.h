/*
 * grant_internal.h: the signing step of porch_grant_create() with the grant
 * id supplied by the caller (test vectors use a fixed one).
 */
#ifndef PORCH_FORMAT_GRANT_INTERNAL_H
#define PORCH_FORMAT_GRANT_INTERNAL_H

#include <sodium.h>

#include "porchlight/grant.h"

/* As porch_grant_create(), keeping g->grant_id. Ownership: *out malloc()ed. */
int porch__grant_sign(porch_grant *g, const porch_device_secret *granter, uint8_t **out,
                      size_t *out_len);

#endif
