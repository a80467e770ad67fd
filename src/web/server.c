#include "base/compat.h"
#include "web/server.h"
#include "base/log.h"
#include "base/clock.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

/*
 * Applied to every response. The policy allows scripts, styles and images
 * only from this server, no frames and no form posts elsewhere, so an
 * injected tag can neither run nor phone home.
 */
static const char csp[] =
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

struct server {
	const struct server_options *opt;
	server_handler_fn fn;
	void *ctx;
	atomic_int in_flight;
};

struct conn_state {
	struct http_request req;
};

static const char *lookup(void *ctx, enum http_lookup kind, const char *key)
{
	enum MHD_ValueKind k = kind == HTTP_LOOKUP_COOKIE ? MHD_COOKIE_KIND :
			       kind == HTTP_LOOKUP_QUERY ? MHD_GET_ARGUMENT_KIND :
							   MHD_HEADER_KIND;

	return MHD_lookup_connection_value(ctx, k, key);
}

static enum http_method method_of(const char *m)
{
	if (!strcmp(m, MHD_HTTP_METHOD_GET))
		return HTTP_GET;
	if (!strcmp(m, MHD_HTTP_METHOD_HEAD))
		return HTTP_HEAD;
	if (!strcmp(m, MHD_HTTP_METHOD_POST))
		return HTTP_POST;
	return HTTP_OTHER;
}

static void add_headers(struct MHD_Response *r, const struct http_response *res)
{
	size_t i;

	MHD_add_response_header(r, "Content-Type", res->content_type);
	MHD_add_response_header(r, "Content-Security-Policy", csp);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(r, "Permissions-Policy",
				"camera=(), microphone=(), geolocation=(), interest-cohort=()");
	/* Pages can hold a victim's words: never keep them in a cache. */
	MHD_add_response_header(r, "Cache-Control",
				res->cache_static ? "public, max-age=3600" : "no-store");
	for (i = 0; i < res->nheaders; i++)
		MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
}

static enum MHD_Result reply(struct MHD_Connection *conn, struct http_response *res)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t len;
	char *body = buf_detach(&res->body, &len);

	if (!body)
		return MHD_NO;
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	add_headers(r, res);
	ret = MHD_queue_response(conn, (unsigned)res->status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct server *srv = cls;
	struct conn_state *st = *con_cls;
	struct http_response res;
	enum MHD_Result ret;

	(void)version;
	if (!st) {
		const char *cl;

		st = calloc(1, sizeof(*st));
		if (!st)
			return MHD_NO;
		buf_init(&st->req.body, srv->opt->body_max);
		st->req.method = method_of(method);
		st->req.path = url;
		st->req.lookup = lookup;
		st->req.lookup_ctx = conn;
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > srv->opt->body_max)
			st->req.body_too_big = 1;
		*con_cls = st;
		atomic_fetch_add(&srv->in_flight, 1);
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* Past the limit the rest is dropped, never stored. */
		if (!st->req.body_too_big &&
		    buf_add(&st->req.body, upload_data, *upload_data_size))
			st->req.body_too_big = 1;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (st->req.body_too_big)
		buf_release(&st->req.body);
	http_response_init(&res, srv->opt->response_max);
	srv->fn(srv->ctx, &st->req, &res);
	ret = reply(conn, &res);
	http_response_release(&res);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct conn_state *st = *con_cls;

	(void)conn;
	(void)toe;
	if (!st)
		return;
	buf_release(&st->req.body);
	free(st);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->in_flight, 1);
}

static int parse_listen(const char *listen, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	char *end;
	long port;
	size_t hlen;

	if (!colon)
		return VG_CONFIG;
	hlen = (size_t)(colon - listen);
	if (hlen == 0 || hlen >= sizeof(host))
		return VG_CONFIG;
	memcpy(host, listen, hlen);
	host[hlen] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || port < 0 || port > 65535)
		return VG_CONFIG;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (!strcmp(host, "localhost"))
		memcpy(host, "127.0.0.1", sizeof("127.0.0.1"));
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return VG_CONFIG;
	return VG_OK;
}

static void drain(struct MHD_Daemon *d, struct server *srv)
{
	int64_t deadline = clock_mono_ms() + SERVER_DRAIN_SECONDS * 1000;

	MHD_quiesce_daemon(d);
	while (atomic_load(&srv->in_flight) > 0 && clock_mono_ms() < deadline)
		clock_sleep_until_ms(clock_mono_ms() + 20);
}

int server_run(const struct server_options *opt, server_handler_fn fn, void *ctx)
{
	struct server srv = { .opt = opt, .fn = fn, .ctx = ctx };
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	char addr[INET_ADDRSTRLEN];
	sigset_t sigs;
	int sig;

	if (parse_listen(opt->listen, &sa)) {
		log_error("listen address \"%s\" is not HOST:PORT", opt->listen);
		return VG_CONFIG;
	}
	/* Pool threads inherit this mask, so only sigwait() below sees the signals. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* ITC (a wake-up pipe) is what lets MHD_quiesce_daemon() stop accepting at once. */
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			     MHD_USE_ITC | MHD_USE_ERROR_LOG,
			     0, NULL, NULL, on_request, &srv,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			     MHD_OPTION_THREAD_POOL_SIZE, opt->threads,
			     MHD_OPTION_CONNECTION_TIMEOUT, opt->connection_timeout,
			     MHD_OPTION_CONNECTION_LIMIT, opt->connection_max,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVER_CONNECTION_MEMORY,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv,
			     MHD_OPTION_END);
	if (!d) {
		log_error("cannot listen on %s", opt->listen);
		return VG_IO;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof(addr));
	printf("listening on http://%s:%u\n", addr, info ? info->port : 0);
	fflush(stdout);

	for (;;) {
		if (sigwait(&sigs, &sig) == 0 && (sig == SIGTERM || sig == SIGINT))
			break;
	}
	log_info("signal %d: finishing requests in flight", sig);
	drain(d, &srv);
	MHD_stop_daemon(d);
	log_info("stopped");
	return VG_OK;
}
