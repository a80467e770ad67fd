#include "base/compat.h"
#include "web/router.h"

/* 1 when path matches pattern; the "{}" segment is copied into param. */
static int match(const char *pattern, const char *path, char param[ROUTER_PARAM_MAX])
{
	while (*pattern && *path) {
		if (pattern[0] == '{' && pattern[1] == '}') {
			size_t n = strcspn(path, "/");

			if (n == 0 || n >= ROUTER_PARAM_MAX)
				return 0;
			memcpy(param, path, n);
			param[n] = '\0';
			pattern += 2;
			path += n;
			continue;
		}
		if (*pattern != *path)
			return 0;
		pattern++;
		path++;
	}
	return !*pattern && !*path;
}

int router_match(const struct route *routes, size_t n, struct http_request *req,
		 char param_buf[ROUTER_PARAM_MAX], const struct route **out)
{
	int path_matched = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		char param[ROUTER_PARAM_MAX] = "";

		if (!match(routes[i].pattern, req->path, param))
			continue;
		path_matched = 1;
		if (routes[i].method != req->method &&
		    !(routes[i].method == HTTP_GET && req->method == HTTP_HEAD))
			continue;
		memcpy(param_buf, param, ROUTER_PARAM_MAX);
		req->param = param_buf[0] ? param_buf : NULL;
		*out = &routes[i];
		return VG_OK;
	}
	return path_matched ? VG_FORBIDDEN : VG_NOTFOUND;
}
