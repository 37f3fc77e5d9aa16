/* hub_cmd.h: the porchlight-hub subcommands (each returns the exit status). */
#ifndef PORCH_HUB_CMD_H
#define PORCH_HUB_CMD_H

int hub_cmd_run(int argc, char **argv);

#endif
