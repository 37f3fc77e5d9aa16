/* peers.c: see peers.h. */
#include "peers.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "loadgen.h"
#include "procs.h"

static const char nginx_conf[] =
    "daemon off;\n"
    "master_process on;\n"
    "worker_processes 2;\n"
    "worker_rlimit_nofile 8192;\n"
    "pid %s/nginx.pid;\n"
    "error_log %s/error.log warn;\n"
    "%s"
    "events { worker_connections 4096; use epoll; }\n"
    "http {\n"
    "  access_log off;\n"
    "  sendfile on;\n"
    "  tcp_nopush on;\n"
    "  tcp_nodelay on;\n"
    "  keepalive_timeout 600s;\n"
    "  keepalive_requests 1000000;\n"
    "  client_max_body_size 64m;\n"
    "  client_body_buffer_size 128k;\n"
    "  client_body_temp_path %s/body;\n"
    "  proxy_temp_path %s/proxy;\n"
    "  fastcgi_temp_path %s/fastcgi;\n"
    "  uwsgi_temp_path %s/uwsgi;\n"
    "  scgi_temp_path %s/scgi;\n"
    "  types { application/json json; }\n"
    "  default_type application/octet-stream;\n"
    "  server {\n"
    "    listen 127.0.0.1:%u backlog=4096;\n"
    "    root %s;\n"
    "    location /up/ { dav_methods PUT; create_full_put_path on; dav_access user:rw; }\n"
    "    location / { }\n"
    "  }\n"
    "}\n";

/* Polls GET path on a fresh connection until 200 or 10 s (or the child dies). */
static int wait_ready(peer *p, const char *path)
{
    lg_loop l;
    lg_conn c;
    lg_response r;
    double until = lg_now() + 10;
    int ok = 0;
    struct timespec ms20 = {0, 20 * 1000 * 1000};

    if (lg_loop_init(&l, p->port) != 0)
        return -1;
    while (!ok && lg_now() < until && procs_alive(p->pid, NULL)) {
        if (lg_conn_open(&l, &c, NULL, NULL) == 0) {
            ok = lg_fetch(&c, "GET", path, NULL, NULL, 0, &r) == 200;
            lg_conn_close(&c);
        }
        if (!ok)
            nanosleep(&ms20, NULL);
    }
    lg_loop_free(&l);
    if (!ok)
        fprintf(stderr, "bench_server: %s did not answer GET %s on 127.0.0.1:%u (log: %s)\n",
                p->name, path, (unsigned)p->port, p->log);
    return ok ? 0 : -1;
}

int peer_nginx_start(peer *p, const char *workdir, const char *nginx, const char *sub)
{
    char conf[8192], path[4300];
    memset(p, 0, sizeof *p);
    p->name = "nginx";
    snprintf(p->dir, sizeof p->dir, "%s/%s", workdir, sub);
    snprintf(p->www, sizeof p->www, "%s/www", p->dir);
    snprintf(p->log, sizeof p->log, "%s/stderr.log", p->dir);
    if (mkdir(p->dir, 0700) != 0 || mkdir(p->www, 0700) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/up", p->www);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/ok.txt", p->www);
    procs_write_file(path, "ok\n", 3);
    p->port = procs_free_port();
    /* As root, workers would switch to nobody, who cannot write our 0700 tree. */
    int n = snprintf(conf, sizeof conf, nginx_conf, p->dir, p->dir,
                     geteuid() == 0 ? "user root;\n" : "", p->dir, p->dir, p->dir, p->dir,
                     p->dir, (unsigned)p->port, p->www);
    snprintf(path, sizeof path, "%s/nginx.conf", p->dir);
    if (n < 0 || (size_t)n >= sizeof conf || procs_write_file(path, conf, (size_t)n) != 0)
        return -1;
    char *argv[] = {(char *)nginx, "-p", p->dir, "-c", path, "-e", p->log, NULL};
    if ((p->pid = procs_spawn(argv, p->log)) < 0) {
        fprintf(stderr, "bench_server: cannot start %s\n", nginx);
        return -1;
    }
    return wait_ready(p, "/ok.txt");
}

/* The placeholder main.c exits at once saying "not implemented yet". */
static int is_stub(const peer *p)
{
    char buf[512];
    FILE *f = fopen(p->log, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = 0;
    return strstr(buf, "not implemented yet") != NULL;
}

int peer_porch_start(peer *p, const char *workdir, const char *server)
{
    char port[16];
    memset(p, 0, sizeof *p);
    p->name = "porchlight";
    snprintf(p->dir, sizeof p->dir, "%s/porch", workdir);
    snprintf(p->log, sizeof p->log, "%s/porch-stderr.log", workdir);
    if (mkdir(p->dir, 0700) != 0)
        return -1;
    p->port = procs_free_port();
    snprintf(port, sizeof port, "%u", (unsigned)p->port);
    /* Idle keep-alive connections may stay 600 s, as nginx's keepalive_timeout
     * above: the held-hubs test must not measure two different timeouts. */
    char *argv[] = {(char *)server, "--listen", "127.0.0.1", "--port", port, "--data", p->dir,
                    "--idle-timeout", "600", "--header-timeout", "600", NULL};
    if ((p->pid = procs_spawn(argv, p->log)) < 0) {
        fprintf(stderr, "bench_server: cannot start %s\n", server);
        return -1;
    }
    if (wait_ready(p, "/v1/health") == 0)
        return 0;
    return is_stub(p) ? -2 : -1;
}

void peer_stop(peer *p)
{
    if (p->pid > 0)
        procs_stop(p->pid);
    p->pid = 0;
}
