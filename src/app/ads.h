/*
 * ads.h - online ads in bulk: read, screened, clustered into templates and
 * networks, ranked (docs/ads.md). The CLI's `vigil ads` is a thin shell
 * over this module.
 *
 * Input is streamed: JSON Lines ({"id": ..., "text": ..., optional
 * "posted_at", "site", "city", "region", "title", "phones"}) or CSV with a
 * header row naming the same columns. Records are read by this thread in
 * chunks; each chunk's records are parsed, screened (app/screening.h, or
 * only their contacts and ages with indicators off) and signed (MinHash of
 * the normalised title and text) by a pool of worker threads, and the
 * results are added to the index by this thread in input order, so the
 * outcome does not depend on the number of threads. This thread is one of
 * the workers: once a chunk is in the index, it works on the next one
 * beside the others. Nothing of an ad's
 * text is kept after its chunk.
 *
 * A record that cannot be read is passed to the caller's report function
 * with its line number and skipped; the run goes on.
 */
#ifndef VIGIL_ADS_H
#define VIGIL_ADS_H

#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "cluster/index.h"
#include "cluster/rank.h"

/* The longest JSON line or CSV record, in bytes. */
#define ADS_RECORD_MAX (1u << 20)

enum ads_format { ADS_AUTO, ADS_JSONL, ADS_CSV };

enum ads_output {
	ADS_CLUSTERS, /* one line per cluster with two ads or more, or in a network that has */
	ADS_ASSIGN,   /* one line per ad read in this run */
	ADS_NETWORKS, /* one line per network with two ads or more */
};

struct screening;

struct ads_options {
	struct index_params params;
	int params_given;          /* 1: the caller set params; a loaded index must agree */
	unsigned guard;            /* networks.h */
	unsigned threads;          /* workers, this thread included; 0: one per online CPU */
	enum ads_format format;
	char default_country[3];   /* for numbers without a country code; "" for none */
	struct screening *screening; /* the indicator screen, or NULL for contacts and ages only */
	const struct rank_weights *weights;
	int keep_order;            /* 1: remember every ad read, for ADS_ASSIGN */
};

/* What a run did and how long each stage took (for --stats and bench/ads). */
struct ads_stats {
	uint64_t records;     /* lines or CSV records read, blank lines aside */
	uint64_t added;
	uint64_t duplicates;  /* ids already in the index */
	uint64_t malformed;
	uint64_t empty;       /* ads whose text had no word: clustered by contacts only */
	uint64_t loaded;      /* ads in the index before this run */
	/* Seconds of CPU, of this thread or of all workers; networks and output elapsed. */
	double read_s;        /* reading records (this thread) */
	double screen_s;      /* parsing and screening, CPU seconds of all workers */
	double norm_s;        /* normalising the ads' text, CPU seconds of all workers */
	double sign_s;        /* MinHash signatures, CPU seconds of all workers */
	double index_s;       /* adding to the index (this thread): the serial stage */
	double networks_s;
	double output_s;
	double wall_s;        /* reading to the last add, elapsed */
	unsigned threads;
};

struct ads_session;

/* Called for each record that is skipped: its first line's number and why. */
typedef void (*ads_report_fn)(void *arg, uint64_t lineno, const char *msg);

/* VG_NOMEM, VG_INVAL for options out of range (message in err). */
int ads_session_new(const struct ads_options *o, struct ads_session **out, char *err,
		    size_t errsize);
void ads_session_free(struct ads_session *s);

/*
 * Loads the index file at path, if it exists (VG_OK and an empty index if
 * it does not). VG_INVAL for a file that is not a valid index or whose
 * parameters differ from params that were given; VG_IO when it cannot be
 * read. err says what was wrong.
 */
int ads_session_load(struct ads_session *s, const char *path, char *err, size_t errsize);

/*
 * Writes the index to path atomically (a temporary file in the same
 * folder, flushed to disk, then renamed). VG_IO with err set.
 */
int ads_session_save(struct ads_session *s, const char *path, char *err, size_t errsize);

/*
 * Reads every record of in. VG_OK when the stream was read to its end,
 * even if records were skipped (ads_session_stats() counts them); VG_INVAL
 * when the CSV header lacks an id or text column; VG_IO, VG_NOMEM.
 */
int ads_session_read(struct ads_session *s, FILE *in, ads_report_fn report, void *arg,
		     char *err, size_t errsize);

/*
 * Joins clusters into networks; call after the last read. Unless the
 * index is to be saved (keep_index), the memory that only adding ads needs
 * is freed first. VG_NOMEM.
 */
int ads_session_finish(struct ads_session *s, int keep_index);

/*
 * Writes JSON Lines to out (docs/ads.md, "Output"): clusters or networks
 * in rank order, or each ad's assignment in input order. Only groups that
 * hold an ad of this run are written. VG_IO, VG_NOMEM.
 */
int ads_session_write(struct ads_session *s, enum ads_output mode, FILE *out);

/*
 * Appends the HTML report of the top networks (all of them when top is 0)
 * to html, rendered with templates/ads_report.html. VG_TOOBIG past the
 * buffer's limit, VG_NOMEM.
 */
int ads_session_report(struct ads_session *s, size_t top, struct buf *html);

/*
 * How many contacts were found generic (after ads_session_finish()); when
 * i is below that, the i-th is described in buf: "+15555550100: in the ads
 * of 57 unrelated posters (80 ads)".
 */
size_t ads_session_generic(const struct ads_session *s, size_t i, char *buf, size_t size);

const struct ads_stats *ads_session_stats(const struct ads_session *s);

/* The peak resident memory of the process so far, in bytes. */
uint64_t ads_peak_rss(void);

#endif
