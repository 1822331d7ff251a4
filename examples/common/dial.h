/* The client side of a TCP connection, shared by the example clients. */
#ifndef EX_DIAL_H
#define EX_DIAL_H

#include <stddef.h>

/* Connect to host:port (a name resolved with getaddrinfo, or a numeric
 * address), trying each address in turn. Returns the socket, with
 * TCP_NODELAY (small frames such as PINGs must not wait for Nagle) and
 * non-blocking, or -1 with a message in err. */
int ex_dial(const char *host, unsigned port, char *err, size_t errlen);

#endif
