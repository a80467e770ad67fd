/*
 * status.h - the one table of status codes every fallible function returns.
 *
 * Contract: 0 (VG_OK) is success; every other value is a failure whose
 * meaning and message come from the VG_STATUS_LIST X-macro below, so the
 * enum and the messages cannot drift apart (libuv's uv-errno approach).
 * Callers write `if (rc) return rc;` or `if (rc) goto out;`.
 */
#ifndef VIGIL_STATUS_H
#define VIGIL_STATUS_H

#define VG_STATUS_LIST(X)                                                  \
	X(OK, "ok")                                                        \
	X(NOMEM, "out of memory")                                          \
	X(INVAL, "invalid input")                                          \
	X(TOOBIG, "input exceeds its limit")                               \
	X(UTF8, "text is not valid UTF-8")                                 \
	X(NOTFOUND, "not found")                                           \
	X(EXISTS, "already exists")                                        \
	X(IO, "input/output error")                                        \
	X(DB, "database error")                                            \
	X(BUSY, "database is busy")                                        \
	X(READONLY, "storage is read-only or full")                        \
	X(CRYPTO, "cryptographic check failed")                            \
	X(AUTH, "authentication failed")                                   \
	X(FORBIDDEN, "not permitted")                                      \
	X(EXPIRED, "expired")                                              \
	X(THROTTLED, "too many attempts")                                  \
	X(CONFIG, "configuration error")                                   \
	X(INTERNAL, "internal error")                                      \
	X(MERGED, "the case was merged into another")

enum vg_status {
#define VG_STATUS_ENUM(name, msg) VG_##name,
	VG_STATUS_LIST(VG_STATUS_ENUM)
#undef VG_STATUS_ENUM
	VG_STATUS_COUNT
};

/* A short, stable, lower-case message for rc; never NULL. */
const char *vg_strerror(int rc);

/* A stable machine name for rc ("notfound", "toobig", ...); never NULL. */
const char *vg_status_name(int rc);

#endif
