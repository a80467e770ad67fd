/*
 * store.h - the only interface to persistent storage; the only layer that
 * speaks SQL.
 *
 * Handlers and app modules see these functions and plain structs, never a
 * database handle, so a PostgreSQL backend can be added beside the SQLite
 * one (store_sqlite.c) without touching them. Sensitive fields arrive here
 * already sealed (see crypto/seal.h) and leave sealed: the store never sees
 * a key or a plaintext narrative.
 *
 * Thread safety: one struct store is shared by all server threads; every
 * function may be called concurrently. A call that changes data commits it
 * durably (synchronous=FULL) before returning VG_OK.
 *
 * Errors: VG_NOTFOUND, VG_EXISTS, VG_BUSY, VG_READONLY (disk full or
 * read-only database), VG_DB (anything else), VG_NOMEM. Output parameters
 * are set only on success. Strings in rows are malloc'd and freed by the
 * matching *_release().
 */
#ifndef VIGIL_STORE_H
#define VIGIL_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* A sealed value: bytes and their length (NULL/0 when absent). */
struct sealed {
	unsigned char *data;
	size_t len;
};

struct tip_row {
	int64_t seq;            /* insertion order, set by the store: the paging cursor */
	char *id;               /* random public id, 16 hex digits */
	int64_t created_at;     /* unix seconds, UTC */
	int64_t updated_at;
	char *status;           /* "new", "in_review", "closed" */
	char *source;           /* "web", "api", "phone" */
	char *country;          /* ISO 3166-1 alpha-2 or "" */
	char *region;           /* ISO 3166-2 subdivision suffix or "" */
	char *city;             /* "" when not given */
	char *language;         /* reporter's preferred language, "en", "es" */
	int danger_now;         /* 0 or 1 */
	int may_contact;        /* 0 or 1 */
	unsigned char receipt_index[32];
	struct sealed narrative; /* ad "tips/narrative/<id>" */
	struct sealed contact;   /* ad "tips/contact/<id>", may be absent */
	struct sealed details;   /* ad "tips/details/<id>": JSON of when, place detail, people */
	/* What the screen found (screen/screen.h); "" and 0 until screened. */
	int64_t screened_at;
	char *screen_status;     /* "likely", "possible", "not_indicated" */
	char *urgency;           /* "crisis", "priority", "routine" */
	char *kinds;             /* comma-separated: "sex,labor" */
	char *typology;          /* comma-separated typology slugs */
	struct sealed screening; /* ad "tips/screening/<id>": the result, which quotes the text */
	int urgency_rank;        /* set by the store: 0 crisis, 1 priority or unscreened, 2 routine */
};

struct message_row {
	char *id;               /* random public id */
	char *tip_id;
	int64_t created_at;
	char *author;           /* "reporter" or "staff" */
	int64_t user_id;        /* staff author, 0 for the reporter */
	struct sealed body;     /* ad "messages/body/<id>" */
};

struct user_row {
	int64_t id;
	char *name;
	char *role;             /* "admin", "supervisor", "advocate", ... */
	char *password_hash;
	int64_t created_at;
	int must_change;        /* 1 for a one-time password */
	int disabled;
};

struct session_row {
	int64_t user_id;
	char *kind;             /* "web" or "api" */
	int64_t created_at;
	int64_t last_seen;
};

struct tip_filter {
	const char *status;     /* NULL for all */
	int triage;             /* 1: by urgency_rank, then newest first; 0: newest first */
	int unscreened;         /* 1: only tips never screened */
	/* The cursor: only tips after (before_rank, before_seq) in the order,
	 * i.e. a smaller seq (and, with triage, a larger or equal rank).
	 * before_seq 0 means from the start. */
	int before_rank;
	int64_t before_seq;
	int limit;              /* at most this many rows, 1..500 */
};

struct tip_list {
	struct tip_row *rows;
	size_t count;
};

struct message_list {
	struct message_row *rows;
	size_t count;
};

/*
 * Opens (creating when absent) the database at path, sets WAL and
 * synchronous=FULL, and applies every migration not yet applied, each in its
 * own transaction. VG_DB names the failing migration in the log.
 */
int store_open(const char *path, struct store **out);
void store_free(struct store *s);

/* The number of applied migrations (the schema version). */
int store_schema_version(struct store *s, int *out);
/* The newest migration this build knows: the highest schema version it opens. */
int64_t store_schema_newest(void);

/*
 * One transaction for several store calls. store_batch_begin() takes the
 * store's lock (other threads wait until the end) and opens a transaction;
 * every store call the same thread makes until store_batch_end() writes
 * into it, each call's own transaction becoming a savepoint that is undone
 * alone when the call fails. store_batch_end(s, rc) commits durably when
 * rc is VG_OK and rolls everything back otherwise; it returns rc, or the
 * commit's failure, or the error on which SQLite rolled the transaction
 * back by itself (a full disk), so VG_OK means all of it is on disk. A new
 * tip and what is derived from it (its case, entities, automatic tasks,
 * the audit entry) cost one commit this way instead of five.
 *
 * The commit is a group commit: it writes the log without waiting for the
 * disk, releases the lock, and then waits for an fdatasync() of the log
 * shared with the batches that committed meanwhile (store/walsync.h), so
 * concurrent tips share the disk's flush instead of queueing for one each.
 */
int store_batch_begin(struct store *s);
int store_batch_end(struct store *s, int rc);

/* Tips */
int store_tip_insert(struct store *s, const struct tip_row *t);
int store_tip_get(struct store *s, const char *id, struct tip_row *out);
int store_tip_by_receipt(struct store *s, const unsigned char index[32],
			 struct tip_row *out);
/* In the filter's order: newest (highest seq) first, by urgency first with triage. */
int store_tip_list(struct store *s, const struct tip_filter *f, struct tip_list *out);
/*
 * Replaces a tip's screening: screened_at, screen_status, urgency, kinds,
 * typology and screening are taken from t (whose id names the tip); nothing
 * else changes. VG_NOTFOUND if there is no such tip.
 */
int store_tip_set_screening(struct store *s, const struct tip_row *t);
/* Sets status and updated_at. VG_NOTFOUND if there is no such tip. */
int store_tip_set_status(struct store *s, const char *id, const char *status,
			 int64_t now);
/* Counts tips, optionally with a given status (NULL for all). */
int store_tip_count(struct store *s, const char *status, int64_t *out);
void tip_row_release(struct tip_row *t);
void tip_list_release(struct tip_list *l);

/* Messages between staff and a reporter; also bumps the tip's updated_at. */
int store_message_insert(struct store *s, const struct message_row *m);
/* Oldest first. */
int store_message_list(struct store *s, const char *tip_id, struct message_list *out);
void message_row_release(struct message_row *m);
void message_list_release(struct message_list *l);

/* Referrals made for a tip (HTCDS / Primero style). */
struct referral_row {
	char *id;               /* random public id */
	char *tip_id;
	char *entry_id;         /* a directory entry id, "us-nhth" */
	char *rule;             /* the routing rule that suggested it, or "" */
	int64_t made_at;
	int64_t user_id;
	int consent;            /* 1: with the person's consent */
	struct sealed override; /* ad "referrals/override/<id>"; required without consent */
	char *outcome;          /* "made", "accepted", "rejected", "done" */
	int64_t outcome_at;     /* 0 until an outcome is recorded */
	int64_t outcome_by;
};

struct referral_list {
	struct referral_row *rows;
	size_t count;
};

/* VG_NOTFOUND when the tip does not exist; VG_DB when consent is 0 without override. */
int store_referral_insert(struct store *s, const struct referral_row *r);
/* Oldest first. */
int store_referral_list(struct store *s, const char *tip_id, struct referral_list *out);
/* Records the outcome of referral id of tip_id; VG_NOTFOUND when there is none. */
int store_referral_set_outcome(struct store *s, const char *id, const char *tip_id,
			       const char *outcome, int64_t at, int64_t user_id);
void referral_row_release(struct referral_row *r);
void referral_list_release(struct referral_list *l);

/* Users. VG_EXISTS when the name is taken. *id_out may be NULL. */
int store_user_insert(struct store *s, const struct user_row *u, int64_t *id_out);
int store_user_by_name(struct store *s, const char *name, struct user_row *out);
int store_user_by_id(struct store *s, int64_t id, struct user_row *out);
int store_user_count(struct store *s, int64_t *out);
/* Replaces a user's password hash and must_change flag; VG_NOTFOUND if no such user. */
int store_user_set_password(struct store *s, int64_t id, const char *password_hash,
			    int must_change);
void user_row_release(struct user_row *u);

/* Sessions, keyed by the hash of their token. */
int store_session_insert(struct store *s, const unsigned char hash[32],
			 const struct session_row *row);
int store_session_get(struct store *s, const unsigned char hash[32],
		      struct session_row *out);
/* Sets last_seen to now. VG_NOTFOUND if there is no such session. */
int store_session_touch(struct store *s, const unsigned char hash[32], int64_t now);
/*
 * VG_OK whether or not the session existed, so that signing out twice is
 * not an error and does not tell whether a token was ever valid.
 */
int store_session_delete(struct store *s, const unsigned char hash[32]);
/* Deletes sessions last seen before `before`. */
int store_session_expire(struct store *s, int64_t before);
void session_row_release(struct session_row *r);

/* One entry of the audit log. Strings may be NULL except action. */
struct audit_row {
	int64_t id;             /* 1, 2, 3, ... without gaps */
	int64_t at;
	int64_t user_id;        /* 0 for the system */
	char *action;
	char *object;
	char *detail;
	int chained;            /* 0 for entries written before the chain began */
	unsigned char prev[32]; /* the previous entry's hash; zeros for the first */
	unsigned char hash[32];
	/*
	 * Appending only: the entry records derived work the next start does
	 * again if a crash loses it (a case opened for a tip), so its commit
	 * need not wait for the disk (db_begin_deferred in store/db.h).
	 */
	int deferred;
};

struct audit_list {
	struct audit_row *rows;
	size_t count;
};

/*
 * Computes an entry's hash from the fields of e (id included) and prev.
 * The store holds no key: the caller supplies this (app/audit.c).
 */
typedef void (*store_audit_hash_fn)(void *ctx, const struct audit_row *e,
				    unsigned char out[32]);

/*
 * Appends one entry: in one transaction it reads the last entry, gives e
 * the next id and the last hash as prev (zeros when there is none or it is
 * unchained), has fn compute the hash, and inserts. e's id, prev and hash
 * are filled in.
 */
int store_audit_append(struct store *s, struct audit_row *e, store_audit_hash_fn fn,
		       void *ctx);
/* Up to limit entries with id > after_id, in id order. */
int store_audit_list(struct store *s, int64_t after_id, int limit, struct audit_list *out);
void audit_row_release(struct audit_row *r);
void audit_list_release(struct audit_list *l);
int store_audit_count(struct store *s, int64_t *out);

/*
 * A shared counter over fixed windows, e.g. failed receipt lookups:
 * increments the counter `name` for the window that contains `now` (windows
 * are `window` seconds long) and returns the count including this one.
 */
int store_throttle_hit(struct store *s, const char *name, int64_t now,
		       int64_t window, int64_t *count_out);
/* The current window's count without changing it. */
int store_throttle_peek(struct store *s, const char *name, int64_t now,
			int64_t window, int64_t *count_out);

#endif
