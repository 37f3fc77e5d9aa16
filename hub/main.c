/*
 * porchlight-hub: the home box. Subcommands:
 *   run      the live hub (hub/run.c; library: lib/hub, docs/HUB.md)
 *   analyze  offline analysis of one input (hub/analyze.c, issue 6)
 */
#include <stdio.h>
#include <string.h>

#include "analyze.h"
#include "hub_cmd.h"

static int usage(FILE *f, int status)
{
    fputs("usage: porchlight-hub run --config FILE [--once]\n"
          "       porchlight-hub analyze --input FILE_OR_URL [--config FILE] --events OUT.jsonl"
          " [--frames OUT.jsonl]\n",
          f);
    return status;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
        return usage(stdout, 0);
    if (argc >= 2 && !strcmp(argv[1], "run"))
        return hub_cmd_run(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "analyze"))
        return hub_analyze_main(argc - 1, argv + 1);
    return usage(stderr, 2);
}
