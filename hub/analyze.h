/*
 * analyze.h: `porchlight-hub analyze`, the offline analysis mode: the live
 * hub's analysis pipeline (porchlight/analysis.h) run on one input as fast
 * as it goes, writing events (and optionally every analysed frame) as JSON
 * lines. Format: docs/API.md ("porchlight-hub analyze").
 */
#ifndef PORCH_HUB_ANALYZE_H
#define PORCH_HUB_ANALYZE_H

#include <stdint.h>
#include <stdio.h>

#include "porchlight/analysis.h"

/* argv[0] is "analyze". Returns the process exit status. */
int hub_analyze_main(int argc, char **argv);

/* An event between its START and END, kept until the END is written. */
typedef struct hub_open_event {
    porch_event start;
    uint64_t start_frame;
} hub_open_event;

/* JSON writers (analyze_json.c). zone names come from a. */
void hub_json_event(FILE *f, const char *camera, const porch_analysis *a,
                    const hub_open_event *start, const porch_event *end, uint64_t end_frame);
void hub_json_frame(FILE *f, const porch_analysis *a, const porch_analysis_result *r,
                    int grey_w, int grey_h);

#endif
