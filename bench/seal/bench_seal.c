/*
 * bench_seal: clip record seal and open throughput against libsodium's raw
 * XChaCha20-Poly1305 (crypto_aead_xchacha20poly1305_ietf_encrypt/_decrypt)
 * on the same payload buffers, in the same run, on one core.
 *
 *   bench_seal [--rounds N] [--check]
 *
 * seal = porch_clip_writer_append() (the record stays in the writer's buffer)
 * open = porch_clip_record_open() into a preallocated buffer
 * raw  = the AEAD alone over exactly the payload, out of place, 44 bytes of AD
 *
 * For each size the four measurements are interleaved (seal, raw encrypt,
 * open, raw decrypt, seal, ...) for N rounds (default 201), each round timing
 * enough calls to cover about 2 MiB; the table shows the median of each as
 * MB/s (10^6 payload bytes per second; both sides count payload bytes, so the
 * format's framing and Padmé padding are part of its cost) and the ratio
 * format / raw as the median of the per-round ratios (each round's pair runs
 * back to back, so load from other processes that varies between rounds
 * cancels out; on a quiet machine it equals the ratio of the medians). One line per size starting with "bench_seal:" is for scripts.
 * --check exits 1 if the 1 MiB seal or open ratio is below 0.9.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "porchlight/clip.h"
#include "porchlight/error.h"
#include "porchlight/identity.h"
#include "porchlight/roster.h"

#define MAX_ROUNDS 1001
#define TARGET_RATIO 0.9

enum { SEAL, RAW_ENC, OPEN, RAW_DEC, N_MEAS };

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void die(const char *what, int err)
{
    fprintf(stderr, "bench_seal: %s: %s\n", what, porch_strerror(err));
    exit(1);
}

struct setup {
    porch_device_secret *owner, *hub;
    porch_roster *roster;
};

static void setup_init(struct setup *s)
{
    porch_scope all;
    int ret;

    memset(&all, 0, sizeof all);
    all.all_cameras = 1;
    if ((ret = porch_init()) != PORCH_OK)
        die("porch_init", ret);
    if ((ret = porch_device_generate(&s->owner, "bench-owner")) != PORCH_OK ||
        (ret = porch_device_generate(&s->hub, "bench-hub")) != PORCH_OK ||
        (ret = porch_roster_create(&s->roster, s->owner, 1700000000)) != PORCH_OK ||
        (ret = porch_roster_add(s->roster, s->owner, porch_device_public_of(s->hub),
                                PORCH_ROLE_HUB, &all, 1700000001)) != PORCH_OK)
        die("household setup", ret);
}

/* Medians in MB/s for one payload size, and the median of the per-round
 * ratios seal/raw-encrypt and open/raw-decrypt (each round's pair was
 * measured back to back, so load that changes between rounds cancels out). */
static void bench_size(const struct setup *s, size_t size, int rounds, double mbps[N_MEAS],
                       double ratio[2])
{
    uint8_t *payload = malloc(size), *raw_ct = malloc(size + 16), *raw_pt = malloc(size);
    uint8_t *record_copy = NULL, *plain = NULL, key[32], nonce[24], ad[44];
    static double samples[N_MEAS][MAX_ROUNDS];
    porch_clip_writer *w = NULL;
    porch_clip_key *ckey = NULL;
    const uint8_t *rec, *hdr, *pl;
    size_t rec_len, hdr_len, pl_len;
    porch_record_info info;
    int ret, calls = (int)((2u << 20) / size);

    if (calls < 1)
        calls = 1;
    if (!payload || !raw_ct || !raw_pt)
        die("malloc", PORCH_ERR_NOMEM);
    randombytes_buf(payload, size);
    randombytes_buf(key, sizeof key);
    randombytes_buf(nonce, sizeof nonce);
    randombytes_buf(ad, sizeof ad);
    if ((ret = porch_clip_writer_new(&w, s->hub, s->roster, "bench", 1700000002000000ull)) !=
            PORCH_OK ||
        (ret = porch_clip_writer_header(w, &hdr, &hdr_len)) != PORCH_OK ||
        (ret = porch_clip_key_unwrap(&ckey, hdr, hdr_len, s->owner)) != PORCH_OK)
        die("writer", ret);
    /* One sealed record to open, and a buffer for its plaintext. */
    if ((ret = porch_clip_writer_append(w, PORCH_RECORD_MEDIA, payload, size, &rec,
                                        &rec_len)) != PORCH_OK)
        die("append", ret);
    if (!(record_copy = malloc(rec_len)))
        die("malloc", PORCH_ERR_NOMEM);
    memcpy(record_copy, rec, rec_len);
    if ((ret = porch_clip_record_peek(record_copy, rec_len, &info)) != PORCH_OK ||
        !(plain = malloc(info.plain_len)))
        die("peek", ret);

    for (int r = 0; r < rounds; r++) {
        double t;
        t = now_s();
        for (int i = 0; i < calls; i++)
            if ((ret = porch_clip_writer_append(w, PORCH_RECORD_MEDIA, payload, size, &rec,
                                                &rec_len)) != PORCH_OK)
                die("append", ret);
        samples[SEAL][r] = now_s() - t;
        t = now_s();
        for (int i = 0; i < calls; i++)
            crypto_aead_xchacha20poly1305_ietf_encrypt(raw_ct, NULL, payload, size, ad,
                                                       sizeof ad, NULL, nonce, key);
        samples[RAW_ENC][r] = now_s() - t;
        t = now_s();
        for (int i = 0; i < calls; i++)
            if ((ret = porch_clip_record_open(ckey, record_copy, rec_len, &info, plain,
                                              info.plain_len, &pl, &pl_len)) != PORCH_OK)
                die("open", ret);
        samples[OPEN][r] = now_s() - t;
        t = now_s();
        for (int i = 0; i < calls; i++)
            if (crypto_aead_xchacha20poly1305_ietf_decrypt(raw_pt, NULL, NULL, raw_ct,
                                                           size + 16, ad, sizeof ad, nonce,
                                                           key) != 0)
                die("raw decrypt", PORCH_ERR_CRYPTO);
        samples[RAW_DEC][r] = now_s() - t;
    }
    if (pl_len != size || memcmp(pl, payload, size) != 0 || memcmp(raw_pt, payload, size) != 0)
        die("round trip", PORCH_ERR_CRYPTO);
    static double pair[2][MAX_ROUNDS];
    for (int r = 0; r < rounds; r++) {
        pair[0][r] = samples[RAW_ENC][r] / samples[SEAL][r];
        pair[1][r] = samples[RAW_DEC][r] / samples[OPEN][r];
    }
    ratio[0] = median(pair[0], rounds);
    ratio[1] = median(pair[1], rounds);
    for (int m = 0; m < N_MEAS; m++)
        mbps[m] = (double)size * calls / median(samples[m], rounds) / 1e6;
    porch_clip_key_free(ckey);
    porch_clip_writer_free(w);
    free(payload);
    free(raw_ct);
    free(raw_pt);
    free(record_copy);
    free(plain);
}

int main(int argc, char **argv)
{
    static const size_t sizes[] = {64u << 10, 1u << 20, 8u << 20};
    static const char *const labels[] = {"64 KiB", "1 MiB", "8 MiB"};
    struct setup s;
    int rounds = 201, check = 0, below = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--check") == 0)
            check = 1;
        else {
            fprintf(stderr, "usage: bench_seal [--rounds N] [--check]\n");
            return 2;
        }
    }
    if (rounds < 1 || rounds > MAX_ROUNDS) {
        fprintf(stderr, "bench_seal: rounds must be 1..%d\n", MAX_ROUNDS);
        return 2;
    }
    memset(&s, 0, sizeof s);
    setup_init(&s);
    printf("clip record seal/open vs raw XChaCha20-Poly1305, median of %d interleaved rounds, "
           "MB/s = 10^6 payload bytes/s,\nratio = median of per-round (format / raw) "
           "throughput ratios; target >= %.2fx at 1 MiB\n\n", rounds, TARGET_RATIO);
    printf("%-8s %10s %10s %7s   %10s %10s %7s\n", "size", "seal", "aead-enc", "ratio", "open",
           "aead-dec", "ratio");
    double res[3][N_MEAS], rat[3][2];
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        double *m = res[i];
        bench_size(&s, sizes[i], rounds, m, rat[i]);
        double rs = rat[i][0], ro = rat[i][1];
        printf("%-8s %10.1f %10.1f %6.3fx   %10.1f %10.1f %6.3fx\n", labels[i], m[SEAL],
               m[RAW_ENC], rs, m[OPEN], m[RAW_DEC], ro);
        if (sizes[i] == (1u << 20) && (rs < TARGET_RATIO || ro < TARGET_RATIO))
            below = 1;
    }
    printf("\n");
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        const double *m = res[i];
        printf("bench_seal: size=%zu seal_mbps=%.1f aead_enc_mbps=%.1f seal_ratio=%.3f "
               "open_mbps=%.1f aead_dec_mbps=%.1f open_ratio=%.3f rounds=%d\n",
               sizes[i], m[SEAL], m[RAW_ENC], rat[i][0], m[OPEN], m[RAW_DEC], rat[i][1],
               rounds);
    }
    porch_roster_free(s.roster);
    porch_device_free(s.owner);
    porch_device_free(s.hub);
    if (check && below) {
        fprintf(stderr, "bench_seal: 1 MiB ratio below %.2f\n", TARGET_RATIO);
        return 1;
    }
    return 0;
}
