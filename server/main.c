/*
 * porchlight-server: the cloud service (stores and relays sealed data,
 * access log). A stub until its issue lands: it states what it will do and
 * exits with the usage status, so scripts cannot mistake it for a server.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        puts("usage: porchlight-server (not implemented yet)\n"
             "The server stores and relays only sealed data and logs every read.\n"
             "It never holds a key that opens a clip.");
        return 0;
    }
    fputs("porchlight-server: not implemented yet; see docs/ARCHITECTURE.md\n",
          stderr);
    return 2;
}
