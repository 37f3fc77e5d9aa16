/*
 * fuzz_hub_config: porch_hub_config_parse() on arbitrary text. Whatever
 * parses must satisfy what the hub relies on: at least one camera, each
 * with a url and a valid name, durations in range, and an error message
 * that is one NUL-terminated line otherwise.
 */
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "porchlight/hub_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    porch_hub_config *cfg = NULL;
    char err[512];
    int ret = porch_hub_config_parse(&cfg, (const char *)data, size, "fuzz.conf", err, sizeof err);

    if (ret != PORCH_OK) {
        if (cfg || memchr(err, '\0', sizeof err) == NULL)
            abort();
        return 0;
    }
    if (cfg->n_cameras == 0 || cfg->n_cameras > PORCH_HUB_MAX_CAMERAS)
        abort();
    for (size_t i = 0; i < cfg->n_cameras; i++) {
        const porch_hub_camera_config *c = &cfg->cameras[i];
        if (!c->url[0] || !porch_camera_id_valid(c->name) || c->preroll_us < 0 ||
            c->preroll_us > PORCH_HUB_MAX_PREROLL_US || c->n_analysis > PORCH_HUB_MAX_ANALYSIS_KEYS)
            abort();
        if (porch_hub_config_camera(cfg, c->name) != c)
            abort();
    }
    porch_hub_config_free(cfg);
    return 0;
}
