/* server_proc.c: see server_proc.h. */
#define _XOPEN_SOURCE 700
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "server_proc.h"

extern char **environ;

static struct server_proc *running; /* the one server of this test process */

static int free_port(void)
{
    struct sockaddr_in a = {0};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static size_t discard(char *p, size_t s, size_t n, void *c)
{
    (void)p, (void)c;
    return s * n;
}

static int healthy(const struct server_proc *s)
{
    char url[128];
    long status = 0;
    CURL *k = curl_easy_init();
    if (!k)
        return 0;
    snprintf(url, sizeof url, "%s/v1/health", s->url);
    curl_easy_setopt(k, CURLOPT_URL, url);
    curl_easy_setopt(k, CURLOPT_TIMEOUT_MS, 1000L);
    curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, discard);
    if (curl_easy_perform(k) == CURLE_OK)
        curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(k);
    return status == 200;
}

static void on_signal(int sig)
{
    if (running && running->pid > 0) {
        kill(running->pid, SIGKILL);
        waitpid(running->pid, NULL, 0);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void at_exit(void)
{
    if (running)
        server_cleanup(running);
}

static int spawn(struct server_proc *s)
{
    char port[16], log[4200];
    posix_spawn_file_actions_t fa;
    snprintf(port, sizeof port, "%d", s->port);
    snprintf(log, sizeof log, "%s/server.log", s->data_dir);
    const char *argv[] = {s->bin, "--listen", "127.0.0.1", "--port", port, "--data",
                          s->data_dir, NULL};
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    int r = posix_spawn(&s->pid, s->bin, &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (r != 0) {
        s->pid = 0;
        return -1;
    }
    for (int i = 0; i < 200; i++) { /* up to 10 s */
        if (healthy(s))
            return 0;
        int st = 0;
        if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
            s->pid = 0;
            /* exited: port taken, bad flags, or the pre-server stub (status 2) */
            return WIFEXITED(st) && WEXITSTATUS(st) == 2 ? -2 : -1;
        }
        sleep_ms(50);
    }
    return -1;
}

void server_start(struct server_proc *s)
{
    const char *bd = getenv("PORCH_BUILD_DIR");
    memset(s, 0, sizeof *s);
    snprintf(s->bin, sizeof s->bin, "%s/server/porchlight-server", bd ? bd : "build");
    if (access(s->bin, X_OK) != 0) {
        printf("SKIP: %s not built (merge the server branch)\n", s->bin);
        exit(77);
    }
    snprintf(s->data_dir, sizeof s->data_dir, "%s/porch-client-test-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(s->data_dir)) {
        perror("mkdtemp");
        exit(1);
    }
    running = s;
    atexit(at_exit);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGALRM, on_signal);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    for (int attempt = 0; attempt < 5; attempt++) {
        s->port = free_port();
        snprintf(s->url, sizeof s->url, "http://127.0.0.1:%d", s->port);
        int r = s->port ? spawn(s) : -1;
        if (r == 0)
            return;
        server_stop(s);
        if (r == -2) {
            printf("SKIP: %s exits with status 2 (the stub, or flags it does not take)\n",
                   s->bin);
            server_cleanup(s);
            exit(77);
        }
    }
    fprintf(stderr, "porchlight-server did not start (see %s/server.log)\n", s->data_dir);
    exit(1);
}

void server_restart(struct server_proc *s)
{
    for (int attempt = 0; attempt < 20; attempt++) {
        if (spawn(s) == 0)
            return;
        server_stop(s);
        sleep_ms(250); /* the port may linger briefly */
    }
    fprintf(stderr, "porchlight-server did not restart\n");
    exit(1);
}

void server_stop(struct server_proc *s)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, SIGTERM);
    for (int i = 0; i < 100; i++) { /* up to 5 s, then SIGKILL */
        if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
            s->pid = 0;
            return;
        }
        sleep_ms(50);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

void server_cleanup(struct server_proc *s)
{
    server_stop(s);
    if (s->data_dir[0] && !getenv("PORCH_KEEP_TEST_DIR"))
        nftw(s->data_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    s->data_dir[0] = '\0';
    if (running == s)
        running = NULL;
}
