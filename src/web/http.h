/*
 * http.h - the request and response that handlers see.
 *
 * Handlers never see libmicrohttpd types: server.c fills a struct
 * http_request and turns the struct http_response into a reply. This keeps
 * handlers testable and the server library replaceable. By construction a
 * request carries no client address and no user agent, so no handler can
 * log or store them.
 */
#ifndef VIGIL_HTTP_H
#define VIGIL_HTTP_H

#include <stddef.h>

#include "base/buf.h"

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_OTHER };

enum http_lookup { HTTP_LOOKUP_HEADER, HTTP_LOOKUP_COOKIE, HTTP_LOOKUP_QUERY };

struct http_request {
	enum http_method method;
	const char *path;         /* decoded path, no query string */
	struct buf body;          /* the whole body, within its limit */
	const char *param;        /* the {id} of a route pattern, or NULL */
	int body_too_big;         /* the body went past its limit and was dropped */
	/* Server-provided lookup of headers, cookies and query arguments. */
	const char *(*lookup)(void *ctx, enum http_lookup kind, const char *key);
	void *lookup_ctx;
};

#define HTTP_MAX_HEADERS 8
#define HTTP_HEADER_VALUE_MAX 512

struct http_header {
	char name[40];
	char value[HTTP_HEADER_VALUE_MAX];
};

struct http_response {
	int status;
	const char *content_type;  /* a static string */
	struct buf body;
	struct http_header headers[HTTP_MAX_HEADERS];
	size_t nheaders;
	int cache_static;          /* 1: may be cached (static assets) */
};

const char *http_header(const struct http_request *req, const char *name);
const char *http_cookie(const struct http_request *req, const char *name);
const char *http_query(const struct http_request *req, const char *name);

/* The body's media type without parameters, lower case, in out. */
void http_content_type(const struct http_request *req, char *out, size_t size);

void http_response_init(struct http_response *res, size_t body_max);
void http_response_release(struct http_response *res);

/* Adds a header; VG_TOOBIG if there is no room or the value is too long. */
int http_add_header(struct http_response *res, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Sets a cookie that scripts cannot read and other sites cannot send:
 * HttpOnly, SameSite=Strict, Path=/, and Secure when `secure`. max_age < 0
 * makes a session cookie; 0 deletes it.
 */
int http_set_cookie(struct http_response *res, const char *name, const char *value,
		    long max_age, int secure);

/* A 303 See Other to location (a local path). */
int http_redirect(struct http_response *res, const char *location);

/* The reason phrase for a status, e.g. "Not Found". */
const char *http_reason(int status);

#endif
