/*
 * test_server_timeouts.c: the real porchlight-server on loopback, with a 2 s
 * request-head deadline and a 30 s idle timeout. The head deadline counts
 * from a request's first byte: a client that dribbles a head is cut; a
 * keep-alive connection that sits idle (a held hub), or a fresh one that has
 * sent nothing yet, is governed by the idle timeout only and still answers
 * after several head deadlines have passed; and once such a connection
 * starts a request, that request's head must still be whole in time.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "support/srvtest.h"

#define HEAD_TIMEOUT_S 2
#define IDLE_S (3 * HEAD_TIMEOUT_S)   /* well past a deadline counted from the last response */

static struct srv S;
static const char health[] = "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n";

/* Reads one response (head + Content-Length body) within ms; its status or -1. */
static int read_response(int fd, int ms)
{
    char buf[8192];
    size_t have = 0;
    struct pollfd p = { fd, POLLIN, 0 };

    while (have < sizeof buf - 1 && poll(&p, 1, ms) > 0) {
        ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
        if (n <= 0)
            return -1;
        have += (size_t)n;
        buf[have] = 0;
        char *end = strstr(buf, "\r\n\r\n"), *cl = strstr(buf, "Content-Length: ");
        int status = 0;
        if (!end || !cl || sscanf(buf, "HTTP/1.1 %d", &status) != 1)
            continue;
        if (have >= (size_t)(end + 4 - buf) + strtoul(cl + 16, NULL, 10))
            return status;
    }
    return -1;
}

/* Waits up to ms for the peer to close; 1 if it did. */
static int closed_within(int fd, int ms)
{
    char buf[4096];
    struct pollfd p = { fd, POLLIN, 0 };

    for (;;) {
        if (poll(&p, 1, ms) <= 0)
            return 0;
        if (read(fd, buf, sizeof buf) <= 0)
            return 1;
    }
}

/* MSG_NOSIGNAL: a socket the server has cut fails the CHECK instead of killing the test. */
static int send_all(int fd, const char *p, size_t n)
{
    return send(fd, p, n, MSG_NOSIGNAL) == (ssize_t)n;
}

/* Dribbles the head of a request a byte every 500 ms; 1 if the server cut
 * the connection before the head was whole. */
static int dribble_cut(int fd)
{
    static const char head[] = "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Pad: aaaaaaaaaaaaaaaa\r\n";

    for (size_t i = 0; i < sizeof head - 1; i++) {
        if (!send_all(fd, head + i, 1))
            return 1;
        if (closed_within(fd, 500))
            return 1;
    }
    return 0;
}

static void test_slow_head_cut(void)
{
    int fd = srv_connect(&S);
    time_t t0 = time(NULL);

    CHECK(dribble_cut(fd));
    CHECK(time(NULL) - t0 <= HEAD_TIMEOUT_S + 4);   /* the deadline, plus the 1 s sweep */
    close(fd);
}

static void test_idle_keepalive_kept(void)
{
    int fd = srv_connect(&S);

    CHECK(send_all(fd, health, sizeof health - 1) && read_response(fd, 5000) == 200);
    /* idle for three head deadlines: only the idle timeout (30 s) applies */
    CHECK(!closed_within(fd, IDLE_S * 1000));
    CHECK(send_all(fd, health, sizeof health - 1) && read_response(fd, 5000) == 200);
    /* idle again, then a dribbled head: its clock starts at its first byte */
    CHECK(!closed_within(fd, IDLE_S * 1000));
    CHECK(dribble_cut(fd));
    close(fd);
}

static void test_fresh_idle_kept(void)
{
    int fd = srv_connect(&S);

    CHECK(!closed_within(fd, IDLE_S * 1000));
    CHECK(send_all(fd, health, sizeof health - 1) && read_response(fd, 5000) == 200);
    close(fd);
}

int main(void)
{
    srv_start(&S, (const char *[]){ "--header-timeout", "2", "--idle-timeout", "30", NULL });
    test_slow_head_cut();
    test_idle_keepalive_kept();
    test_fresh_idle_kept();
    srv_cleanup(&S);
    return CHECK_DONE();
}
