/* netaddr.h (server, internal): listen address parsing and printing. */
#ifndef PORCH_SERVER_NETADDR_H
#define PORCH_SERVER_NETADDR_H

#include <stddef.h>
#include <sys/socket.h>

/* Numeric IPv4 or IPv6 address text + port into *ss. */
int porch__srv_sockaddr(const char *addr, unsigned port, struct sockaddr_storage *ss,
                        socklen_t *len);
/* Numeric text of a peer address (no port). */
void porch__srv_addr_str(const struct sockaddr *sa, char *out, size_t cap);

#endif
