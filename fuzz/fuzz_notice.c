/*
 * fuzz_notice: porch_notice_open() on untrusted bytes, as a member device
 * reads a notice from the server's stream: header, roster check, unwrap with
 * the fixture member's key, the single META record, the metadata.
 * Seeds: fuzz/corpus/notice/, the notice-v1 vector of docs/FORMAT.md (sealed by
 * the fixture hub, so mutations reach record decryption).
 */
#include <stdlib.h>
#include <string.h>

#include "../tests/format/fixture.h"
#include "porchlight/notice.h"

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
    porch_clip_meta *m = NULL;
    porch_clip_info info;

    if (porch_notice_open(&m, &info, data, size, fx.member, fx.roster3) != PORCH_OK)
        return 0;
    if (!m->has_clip_ref)
        abort();
    porch_meta_free(m);
    return 0;
}
