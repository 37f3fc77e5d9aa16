/*
 * fuzz_analysis_config.c: the analysis settings parser on arbitrary text
 * (porch_analysis_config_parse, which reaches every value parser and the
 * whole-configuration check). A configuration it accepts must also build
 * the events stage's configuration without complaint.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "porchlight/analysis.h"
#include "porchlight/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    porch_analysis_config cfg;
    int line = 0;

    porch_analysis_config_default(&cfg);
    int err = porch_analysis_config_parse(&cfg, (const char *)data, size, &line);
    if (err == PORCH_OK && porch_analysis_config_check(&cfg) != PORCH_OK)
        abort();
    if (err != PORCH_OK && line < 0)
        abort();
    return 0;
}
