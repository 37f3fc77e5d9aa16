/*
 * fuzz_clip_reader: a whole clip from untrusted bytes, the way a viewer reads
 * one: header parse and signature, framing check, roster check, unwrap with a
 * fixed viewer's key, open every record. The same bytes are also peeked and
 * opened as one bare record with the fixture clip's key (record parsing
 * without a valid header in front).
 *
 * The keys and the roster are the fixed ones of tests/format/fixture.h, built
 * once; the seeds in fuzz/corpus/clip_reader/ are clips sealed by that
 * fixture's hub (tests/format/gen_corpus), so mutations past the header still
 * verify, unwrap and reach record decryption and the padding checks.
 */
#include <stdlib.h>
#include <string.h>

#include "../tests/format/fixture.h"

static struct fx fx;
static porch_clip_key *fixture_key;   /* of the fixture clip: opens its records */
static uint8_t *plain;
static size_t plain_cap;

static int sink(void *ctx, const porch_record_info *info, const uint8_t *p, size_t len)
{
    size_t *total = ctx;
    if (len)
        *total += p[0] + p[len - 1] + info->kind; /* touch the payload's ends */
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    uint8_t *clip = NULL;
    size_t len = 0;
    (void)argc;
    (void)argv;
    if (fx_init(&fx) != PORCH_OK || fx_clip(&fx, &clip, &len) != PORCH_OK ||
        porch_clip_key_unwrap(&fixture_key, clip, len, fx.member) != PORCH_OK)
        abort();
    free(clip);
    return 0;
}

static void open_bare_record(const uint8_t *data, size_t size)
{
    porch_record_info info;
    const uint8_t *payload;
    size_t payload_len;

    if (porch_clip_record_peek(data, size, &info) != PORCH_OK)
        return;
    if (info.plain_len > plain_cap) {
        uint8_t *grown = realloc(plain, info.plain_len);
        if (!grown)
            return;
        plain = grown;
        plain_cap = info.plain_len;
    }
    if (porch_clip_record_open(fixture_key, data, size, &info, plain, plain_cap, &payload,
                               &payload_len) == PORCH_OK &&
        (payload < plain || payload + payload_len > plain + info.plain_len))
        abort(); /* payload must lie inside the plaintext */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    porch_clip_info info;
    porch_clip_key *key = NULL;
    uint32_t n_records = 0, bad = 0;
    size_t total = 0;

    open_bare_record(data, size);
    if (porch_clip_header_parse(&info, data, size) != PORCH_OK)
        return 0;
    if (info.header_len > size || info.n_wraps == 0 || info.n_wraps > PORCH_CLIP_MAX_WRAPS)
        abort();
    int framing = porch_clip_check_framing(data, size, &n_records, &bad);
    (void)porch_clip_header_check_roster(data, size, fx.roster3);
    const porch_device_secret *viewers[2] = {fx.member, fx.hub};
    for (int i = 0; i < 2; i++) {
        if (porch_clip_key_unwrap(&key, data, size, viewers[i]) != PORCH_OK)
            continue;
        int opened = porch_clip_open_all(key, data, size, sink, &total, &bad);
        /* open_all checks framing first: it can succeed only when framing does. */
        if (opened == PORCH_OK && framing != PORCH_OK)
            abort();
        porch_clip_key_free(key);
        key = NULL;
    }
    return 0;
}
