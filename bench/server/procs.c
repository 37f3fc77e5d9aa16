/* procs.c: see procs.h. A program's helper: keeps the list of children in
 * file-scope state so the exit and signal paths can stop them. */
#define _XOPEN_SOURCE 700
#include "procs.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_CHILDREN 8

static pid_t children[MAX_CHILDREN];
static char workdir[4096];
static int keep_workdir, hooks_installed;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void at_exit(void)
{
    procs_stop_all();
    if (workdir[0] && !keep_workdir)
        nftw(workdir, rm_entry, 64, FTW_DEPTH | FTW_PHYS);
}

static void on_signal(int sig)
{
    (void)sig;
    exit(130);   /* runs at_exit: children stopped, directory removed */
}

static void install_hooks(void)
{
    struct sigaction sa;
    if (hooks_installed)
        return;
    hooks_installed = 1;
    atexit(at_exit);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

const char *procs_workdir(const char *base, int keep)
{
    const char *tmp = base ? base : getenv("TMPDIR");
    install_hooks();
    snprintf(workdir, sizeof workdir, "%s/bench_server.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(workdir)) {
        workdir[0] = 0;
        return NULL;
    }
    keep_workdir = keep;
    return workdir;
}

uint16_t procs_free_port(void)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    uint16_t port = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

pid_t procs_spawn(char *const argv[], const char *log_path)
{
    posix_spawn_file_actions_t fa;
    pid_t pid = -1;
    int slot = -1;

    install_hooks();
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (!children[i]) {
            slot = i;
            break;
        }
    if (slot < 0)
        return -1;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0)
        pid = -1;
    posix_spawn_file_actions_destroy(&fa);
    if (pid > 0)
        children[slot] = pid;
    return pid;
}

static void unregister(pid_t pid)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (children[i] == pid)
            children[i] = 0;
}

int procs_alive(pid_t pid, int *status)
{
    int st = 0;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == 0)
        return 1;
    if (r == pid) {
        unregister(pid);
        if (status)
            *status = st;
    }
    return 0;
}

void procs_stop(pid_t pid)
{
    struct timespec ms10 = {0, 10 * 1000 * 1000};
    if (pid <= 0)
        return;
    if (kill(pid, SIGTERM) == 0) {
        for (int i = 0; i < 500; i++) {
            if (waitpid(pid, NULL, WNOHANG) == pid) {
                unregister(pid);
                return;
            }
            nanosleep(&ms10, NULL);
        }
        kill(pid, SIGKILL);
    }
    waitpid(pid, NULL, 0);
    unregister(pid);
}

void procs_stop_all(void)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (children[i])
            procs_stop(children[i]);
}

/* CPU time of one process as the sum over its threads of
 * /proc/PID/task/TID/schedstat's first field (ns on CPU): exact, where
 * /proc/PID/stat counts 10 ms ticks. Threads that exited are not counted;
 * the servers keep theirs for the whole run. */
static double cpu_of(pid_t pid)
{
    char path[128];
    unsigned long long ns, sum = 0;
    struct dirent *e;
    DIR *d;
    FILE *f;
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    if (!(d = opendir(path)))
        return 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/%d/task/%.20s/schedstat", (int)pid, e->d_name);
        if ((f = fopen(path, "r"))) {
            if (fscanf(f, "%llu", &ns) == 1)
                sum += ns;
            fclose(f);
        }
    }
    closedir(d);
    return (double)sum / 1e9;
}

static long rss_of(pid_t pid)
{
    char path[64], line[256];
    long kib = 0;
    FILE *f;
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    if (!(f = fopen(path, "r")))
        return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

static long fds_of(pid_t pid)
{
    char path[64];
    long n = 0;
    struct dirent *e;
    DIR *d;
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    if (!(d = opendir(path)))
        return 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static void add_one(pid_t pid, proc_stat *out)
{
    out->cpu_s += cpu_of(pid);
    out->rss_kib += rss_of(pid);
    out->fds += fds_of(pid);
}

void procs_stat(pid_t pid, proc_stat *out)
{
    char path[64], buf[1024];
    FILE *f;
    memset(out, 0, sizeof *out);
    add_one(pid, out);
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    if (!(f = fopen(path, "r")))
        return;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    for (char *tok = strtok(buf, " \n"); tok; tok = strtok(NULL, " \n"))
        add_one((pid_t)atoi(tok), out);
}

double procs_self_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

int procs_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok ? 0 : -1;
}
