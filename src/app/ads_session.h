/*
 * ads_session.h - the insides of a `vigil ads` session (app/ads.h), shared
 * by its two halves: ads.c reads the input, screens and signs each record on
 * the worker threads and adds the results to the index in order;
 * ads_write.c settles the index, ranks the groups and writes the lines, the
 * report and the statistics. Not for other modules.
 */
#ifndef VIGIL_ADS_SESSION_H
#define VIGIL_ADS_SESSION_H

#include <pthread.h>
#include <stdatomic.h>

#include "app/ads.h"
#include "base/buf.h"
#include "cluster/index.h"
#include "cluster/network.h"
#include "screen/entities.h"
#include "screen/norm.h"

/* Records per chunk, and the bytes after which a chunk takes no more. */
#define CHUNK_RECORDS 512
#define CHUNK_BYTES (4u << 20)
/* Records a worker claims at a time: its stages are timed per batch. */
#define BATCH 16
#define THREADS_MAX 64
#define CATEGORY_MAX 64
#define ERR_MAX 160
#define READ_BLOCK (64u << 10)
/* Bytes of normalisation buffers a worker keeps between ads. */
#define NORM_KEEP (64u << 10)

/* What a worker makes of one record, for this thread to add in order. */
/*
 * A record's results. What consume() reads of every ad comes first, up to
 * the sketch and the keys, so that it can ask for those lines a few ads
 * ahead (item_prefetch()).
 */
struct item {
	struct index_ad ad;        /* item_ready(): the fields below, as index_add() takes them */
	struct index_hashes hashes;
	size_t n_cats;
	char err[ERR_MAX];         /* "" when the record was good */
	struct index_sig sig;      /* of which index_add() reads the sketch and the first bands */
	uint64_t lineno;
	char id[INDEX_FIELD_MAX + 1];
	size_t id_len;
	char city[INDEX_FIELD_MAX + 1];
	char region[INDEX_FIELD_MAX + 1];
	int64_t posted;
	char contacts[INDEX_CONTACTS_MAX][sizeof(((struct entity *)0)->value)];
	size_t n_contacts;
	char cats[INDEX_CATS_MAX][CATEGORY_MAX];
	unsigned min_age;
	int has_sig;
};

struct chunk {
	struct buf text;          /* the records, each NUL-terminated */
	size_t off[CHUNK_RECORDS];
	uint64_t lineno[CHUNK_RECORDS];
	uint8_t too_long[CHUNK_RECORDS];
	size_t n;
	struct item *items;
	atomic_size_t next;       /* the next record a worker may claim */
};

struct worker {
	struct ads_session *s;
	pthread_t thread;
	struct norm norm;          /* for the "phones" field */
	struct norm texts[BATCH];  /* each ad of a batch, normalised */
	struct entities *ents;
	double screen_s, norm_s, sign_s;
	int started;
};

struct ads_session {
	struct ads_options o;
	struct ads_index index;
	int incremental;          /* ads_session_load() was called: the index is filled ad by ad */
	struct networks nets;
	int finished;
	struct ads_stats stats;
	int csv;
	int *col_of;              /* CSV: our column of each header field, or -1 */
	size_t ncols;
	uint32_t *order;          /* ADS_ASSIGN: each ad read, in input order */
	size_t n_order, cap_order;
	/* The pool. */
	struct worker *workers;
	unsigned n_workers;
	pthread_mutex_t mu;
	pthread_cond_t go, done;
	struct chunk *job;
	unsigned gen, busy;
	int quit, pool_up;
};

#endif
