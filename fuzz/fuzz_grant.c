/*
 * fuzz_grant: porch_grant_parse() on untrusted bytes (a grant as the server
 * receives it, or as a support device lists it). Whatever parses is run
 * through the policy checks against the fixture roster and the scope test.
 * Seeds: fuzz/corpus/grant/, the grant-v1 vector of docs/FORMAT.md (signed by
 * the fixture owner, so mutations past the header reach the signature check).
 */
#include <stdlib.h>
#include <string.h>

#include "../tests/format/fixture.h"
#include "porchlight/grant.h"

static struct fx fx;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (fx_init(&fx) != PORCH_OK)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    porch_grant *g = NULL;
    porch_clip_info ci;

    if (porch_grant_parse(&g, data, size) != PORCH_OK)
        return 0;
    if (g->n_cameras > PORCH_GRANT_MAX_CAMERAS || g->n_clips > PORCH_GRANT_MAX_CLIPS ||
        g->expires_us <= g->created_us)
        abort();
    (void)porch_grant_check_roster(g, fx.roster3);
    (void)porch_grant_check_time(g, g->created_us);
    memset(&ci, 0, sizeof ci);
    memcpy(ci.household, g->household, 16);
    memcpy(ci.camera, FX_CAMERA, sizeof FX_CAMERA);
    ci.start_us = g->from_us;
    if (g->n_clips)
        memcpy(ci.clip_id, g->clip_ids[g->n_clips - 1], 16);
    if ((g->n_clips || (g->n_cameras && strcmp(g->cameras[0], FX_CAMERA) == 0)) &&
        !porch_grant_covers(g, &ci))
        abort();
    porch_grant_free(g);
    return 0;
}
