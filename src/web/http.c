#include "base/compat.h"
#include "web/http.h"

#include <ctype.h>

const char *http_header(const struct http_request *req, const char *name)
{
	return req->lookup ? req->lookup(req->lookup_ctx, HTTP_LOOKUP_HEADER, name) : NULL;
}

const char *http_cookie(const struct http_request *req, const char *name)
{
	return req->lookup ? req->lookup(req->lookup_ctx, HTTP_LOOKUP_COOKIE, name) : NULL;
}

const char *http_query(const struct http_request *req, const char *name)
{
	return req->lookup ? req->lookup(req->lookup_ctx, HTTP_LOOKUP_QUERY, name) : NULL;
}

void http_content_type(const struct http_request *req, char *out, size_t size)
{
	const char *ct = http_header(req, "Content-Type");
	size_t i = 0;

	assert(size > 0);
	if (ct) {
		while (*ct == ' ')
			ct++;
		for (; ct[i] && ct[i] != ';' && ct[i] != ' ' && i + 1 < size; i++)
			out[i] = (char)tolower((unsigned char)ct[i]);
	}
	out[i] = '\0';
}

void http_response_init(struct http_response *res, size_t body_max)
{
	memset(res, 0, sizeof(*res));
	res->status = 200;
	res->content_type = "text/html; charset=utf-8";
	buf_init(&res->body, body_max);
}

void http_response_release(struct http_response *res)
{
	buf_release(&res->body);
	res->nheaders = 0;
}

int http_add_header(struct http_response *res, const char *name, const char *fmt, ...)
{
	struct http_header *h;
	va_list ap;
	int n;

	if (res->nheaders == HTTP_MAX_HEADERS || strlen(name) >= sizeof(h->name))
		return VG_TOOBIG;
	h = &res->headers[res->nheaders];
	va_start(ap, fmt);
	n = vsnprintf(h->value, sizeof(h->value), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(h->value))
		return VG_TOOBIG;
	memcpy(h->name, name, strlen(name) + 1);
	res->nheaders++;
	return VG_OK;
}

int http_set_cookie(struct http_response *res, const char *name, const char *value,
		    long max_age, int secure)
{
	char age[32] = "";

	if (max_age >= 0)
		snprintf(age, sizeof(age), "; Max-Age=%ld", max_age);
	return http_add_header(res, "Set-Cookie", "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
			       name, value, age, secure ? "; Secure" : "");
}

int http_redirect(struct http_response *res, const char *location)
{
	assert(location[0] == '/');
	res->status = 303;
	buf_reset(&res->body);
	return http_add_header(res, "Location", "%s", location);
}

const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}
