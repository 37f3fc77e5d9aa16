/*
 * porchlight-hub: the home box (ingest, analyse, record, seal, spool,
 * upload). A stub until its issue lands: it states what it will do and
 * exits with the usage status, so scripts cannot mistake it for a hub.
 */
#include <stdio.h>
#include <string.h>

#include "analyze.h"

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "analyze"))
        return hub_analyze_main(argc - 1, argv + 1);
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        puts("usage: porchlight-hub (not implemented yet)\n"
             "The hub records cameras, detects events at home and uploads sealed clips.\n"
             "Today the core library's sealing is reachable through `porch seal`.");
        return 0;
    }
    fputs("porchlight-hub: not implemented yet; see `porch seal` and docs/ARCHITECTURE.md\n",
          stderr);
    return 2;
}
