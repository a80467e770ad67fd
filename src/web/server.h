/*
 * server.h - the HTTP server: libmicrohttpd with a thread pool, limits on
 * every connection, security headers on every response, and a clean stop.
 *
 * server_run() serves until SIGTERM or SIGINT, then stops accepting, lets the
 * requests in flight finish (up to SERVER_DRAIN_SECONDS) and returns.
 */
#ifndef VIGIL_SERVER_H
#define VIGIL_SERVER_H

#include <stddef.h>

#include "web/http.h"

#define SERVER_DRAIN_SECONDS 10

/* Fills res for req. Called on a pool thread; must be thread-safe. */
typedef void (*server_handler_fn)(void *ctx, struct http_request *req,
				  struct http_response *res);

struct server_options {
	const char *listen;          /* "HOST:PORT"; port 0 picks a free one */
	unsigned threads;
	size_t body_max;             /* larger bodies set req->body_too_big */
	size_t response_max;         /* largest response body */
	unsigned connection_timeout; /* seconds idle; cuts off stalled clients */
	unsigned connection_max;     /* open connections, all clients together */
};

/*
 * What one connection may hold while its request line and headers arrive
 * (and its body is read in pieces): longer headers or URLs get 431 or 414
 * and the connection is closed. Fixed, as no real browser comes near it.
 */
#define SERVER_CONNECTION_MEMORY 32768

/*
 * Serves until SIGTERM/SIGINT. Prints "listening on http://HOST:PORT" on
 * stdout once the socket is bound, so scripts can find an ephemeral port.
 * VG_CONFIG for a bad listen address, VG_IO when the socket cannot be bound.
 */
int server_run(const struct server_options *opt, server_handler_fn fn, void *ctx);

#endif
