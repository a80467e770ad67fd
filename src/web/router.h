/*
 * router.h - maps a method and path to a handler.
 *
 * Patterns are literal paths in which a segment "{}" matches one non-empty
 * path segment; the matched text is given to the handler as req->param.
 */
#ifndef VIGIL_ROUTER_H
#define VIGIL_ROUTER_H

#include <stddef.h>

#include "web/http.h"

typedef void (*route_fn)(void *ctx, struct http_request *req, struct http_response *res);

struct route {
	enum http_method method; /* HTTP_GET routes also answer HEAD */
	const char *pattern;
	route_fn fn;
	int flags;               /* the caller's, e.g. what access the route needs */
};

#define ROUTER_PARAM_MAX 64

/*
 * Finds the route for req among n routes. VG_OK sets *out and req->param
 * (pointing into param_buf); VG_NOTFOUND when no pattern matches the path;
 * VG_FORBIDDEN when a pattern matches but not for this method (405).
 */
int router_match(const struct route *routes, size_t n, struct http_request *req,
		 char param_buf[ROUTER_PARAM_MAX], const struct route **out);

#endif
