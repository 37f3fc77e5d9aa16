/*
 * procs.h: the processes the benchmark starts (nginx, porchlight-server) and
 * what it reads about them. Every child is registered; procs_stop_all() runs
 * at exit and on SIGINT/SIGTERM/SIGHUP, so no server outlives the benchmark.
 */
#ifndef PORCH_BENCH_PROCS_H
#define PORCH_BENCH_PROCS_H

#include <stdint.h>
#include <sys/types.h>

/* Creates the run's private directory (mkdtemp under base or $TMPDIR or
 * /tmp), removed at exit unless keep. Returns its path (static storage). */
const char *procs_workdir(const char *base, int keep);

/* A port on 127.0.0.1 that was free a moment ago (bound to port 0, closed). */
uint16_t procs_free_port(void);

/* posix_spawn of argv with stdout and stderr appended to log_path;
 * the child is registered for stopping. Returns the pid or -1. */
pid_t procs_spawn(char *const argv[], const char *log_path);

/* SIGTERM, up to 5 s, then SIGKILL; reaps. Unregisters. */
void procs_stop(pid_t pid);
void procs_stop_all(void);

/* 1 while pid is running (reaps it if it exited; *status then set). */
int procs_alive(pid_t pid, int *status);

/* pid and its children (nginx workers): CPU seconds (user + system),
 * resident set in KiB, open file descriptors. */
typedef struct proc_stat {
    double cpu_s;
    long rss_kib;
    long fds;
} proc_stat;
void procs_stat(pid_t pid, proc_stat *out);
/* CPU seconds this process has used (user + system). */
double procs_self_cpu(void);

/* Writes a whole file; 0 or -1. */
int procs_write_file(const char *path, const void *data, size_t len);

#endif
