/*
 * directory.h - the hotline and agency directory: who can help, where, how
 * to reach them and whether they answer now.
 *
 * The data lives in the .ini files of data/directory/, one block per line
 * or service of an organisation, with the source of every fact;
 * docs/directory.md is the format's reference. A block looks like:
 *
 *     [xx-example]
 *     name = Example Helpline
 *     country = XX
 *     phone = +15555550123 | 555-0123 | free calls
 *     hours = Mo-Fr 09:00-17:00
 *     zone = America/New_York
 *     services = help, report
 *     source = seed 004
 *
 * Parsing is pure: the caller reads the files and passes their contents,
 * and a clock value where "open now" matters. A parsed directory is
 * read-only and may be shared by any number of threads.
 */
#ifndef VIGIL_DIRECTORY_H
#define VIGIL_DIRECTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "directory/hours.h"

#define DIRECTORY_ID_MAX 63        /* the longest entry id, in bytes */
#define DIRECTORY_REGION_SIZE 8    /* "US-CA" or "GB-ENG" and a NUL */
#define DIRECTORY_LANGUAGES_MAX 16 /* languages listed for one entry */
#define DIRECTORY_FILE_MAX (4u << 20)

struct geo;

/* What a line does; "services = ..." in the data uses the names in quotes. */
enum directory_service {
	DIR_SVC_EMERGENCY,      /* "emergency": immediate danger */
	DIR_SVC_REPORT,         /* "report": takes tips and reports */
	DIR_SVC_HELP,           /* "help": support for victims and survivors */
	DIR_SVC_CHILD,          /* "child": children and child exploitation */
	DIR_SVC_LABOR,          /* "labor": labour exploitation and labour rights */
	DIR_SVC_WOMEN,          /* "women": violence against women */
	DIR_SVC_REFUGEES,       /* "refugees": refugees and migrants */
	DIR_SVC_VISA_FRAUD,     /* "visa_fraud": visa, passport and work-visa fraud */
	DIR_SVC_WAGE_THEFT,     /* "wage_theft": unpaid wages, labour standards */
	DIR_SVC_DISCRIMINATION, /* "discrimination": employment discrimination */
	DIR_SVC_TRAINING,       /* "training": training and technical assistance */
	DIR_SVC_COUNT
};

enum directory_channel_kind {
	DIR_CH_PHONE, /* "phone": E.164, callable from abroad unless the note says not */
	DIR_CH_SHORT, /* "short": a short number dialled inside the country, "112" */
	DIR_CH_TEXT,  /* "text": SMS, E.164 or a short code */
	DIR_CH_EMAIL, /* "email" */
	DIR_CH_WEB,   /* "web": an http(s) URL */
	DIR_CH_COUNT
};

/* The facts of an entry; each has a source ("source.hours = ..."). */
enum directory_field {
	DIR_F_NAME, DIR_F_COUNTRY, DIR_F_REGION, DIR_F_AREA,
	DIR_F_PHONE, DIR_F_SHORT, DIR_F_TEXT, DIR_F_EMAIL, DIR_F_WEB,
	DIR_F_HOURS, DIR_F_ZONE, DIR_F_HOLIDAYS, DIR_F_LANGUAGES,
	DIR_F_SERVICES, DIR_F_TRAFFICKING, DIR_F_NOTE,
	DIR_F_COUNT
};

struct directory_channel {
	enum directory_channel_kind kind;
	const char *value;   /* "+18885550123", "112", an address or a URL */
	const char *written; /* as written locally, "1-888-555-0123"; value when not given */
	const char *note;    /* "free calls from Italy"; "" when none */
};

/*
 * One entry. Strings are never NULL ("" when the data has none) and live as
 * long as the directory.
 */
struct directory_entry {
	const char *id;      /* stable slug, "us-nhth" */
	const char *name;
	char country[3];     /* ISO 3166-1 alpha-2 */
	char region[DIRECTORY_REGION_SIZE]; /* ISO 3166-2, "US-CA"; "" for a national line */
	const char *area;    /* narrower than the region, "Alameda County"; informative */
	const struct directory_channel *channels; /* in data order */
	size_t nchannels;
	struct hours hours;     /* HOURS_NONE when the source gives none */
	const char *hours_text; /* as written, "Mo-Fr 09:00-17:00"; "" when unknown */
	const char *holidays;   /* what the source says about holidays */
	const char *languages[DIRECTORY_LANGUAGES_MAX]; /* BCP 47 tags, or "*" for any */
	size_t nlanguages;
	unsigned services;      /* bit (1u << DIR_SVC_x) for each service */
	bool trafficking;       /* a line dedicated to human trafficking */
	const char *note;
	const char *sources[DIR_F_COUNT]; /* each fact's source: its own, else the entry's */
	const char *file;       /* where the entry is defined, for messages */
	unsigned line;
};

/* One data file's contents; name is used in messages ("us.ini:12: ..."). */
struct directory_file {
	const char *name;
	const char *text;
	size_t len;
};

struct directory;

/*
 * Parses the files, in order; the order of entries is the data order.
 * Every fact is checked: ids (unique, [a-z0-9-]), country and region syntax,
 * phones (E.164 with 8 to 15 digits), short numbers (2 to 6 digits),
 * e-mail and web addresses, hours and zone (hours.h), languages, services,
 * and that no phone or short number appears twice in one country. On
 * VG_INVAL err holds one line, "file:line: what is wrong".
 */
int directory_parse(const struct directory_file *files, size_t n,
		    struct directory **out, char *err, size_t errsize);
void directory_free(struct directory *d);

/* Every entry in data order; the count in *n. */
const struct directory_entry *directory_entries(const struct directory *d, size_t *n);

/* The entry with this id, or NULL. */
const struct directory_entry *directory_find(const struct directory *d, const char *id);

/*
 * Checks every country and region code against ISO 3166 (geo.h): VG_INVAL
 * with "file:line: unknown country XX" in err otherwise.
 */
int directory_check_geo(const struct directory *d, const struct geo *g,
			char *err, size_t errsize);

/* "emergency", "report", ...; directory_service_parse is the inverse (VG_NOTFOUND). */
const char *directory_service_name(enum directory_service s);
int directory_service_parse(const char *name, enum directory_service *out);

/* "phone", "short", "text", "email", "web". */
const char *directory_channel_name(enum directory_channel_kind k);

/* The entry's first channel of kind k, or NULL. */
const struct directory_channel *directory_channel(const struct directory_entry *e,
						  enum directory_channel_kind k);

/* The number to dial: the first phone or short number in data order, or NULL. */
const struct directory_channel *directory_dial(const struct directory_entry *e);

struct directory_query {
	const char *country; /* NULL or "": every country */
	/*
	 * NULL or "": every entry of the country. "US-CA": the country's national
	 * entries and that region's, none of the other regions'.
	 */
	const char *region;
	int service;         /* an enum directory_service, or -1 for any */
	bool open_only;      /* only entries known to be open at `now` */
	int64_t now;         /* seconds since the epoch, UTC */
};

struct directory_hit {
	const struct directory_entry *entry;
	enum hours_state state; /* at the query's `now` */
};

/* A query's answer; owned by the caller (init, then release). */
struct directory_hits {
	struct directory_hit *v;
	size_t n;
};

void directory_hits_init(struct directory_hits *h);
void directory_hits_release(struct directory_hits *h);

/*
 * The entries matching q, in the order a person in need should see them:
 * emergency lines first, then open now, then unknown hours, then closed,
 * each group in data order. out is replaced only on success.
 */
int directory_query(const struct directory *d, const struct directory_query *q,
		    struct directory_hits *out);

/*
 * The entry as a JSON object, as `vigil directory --json` writes it and the
 * API may serve it: "id", "name", "country", "region", "area", "open_now"
 * (true, false, or null when the hours are unknown), "channels" (objects
 * with "kind", "value", "written", "note"), "hours", "zone", "holidays",
 * "languages", "services", "trafficking", "note", and "sources" (the
 * source of each fact the entry has, by field name). Absent facts are
 * null. *out is a new reference.
 */
int directory_entry_json(const struct directory_entry *e, enum hours_state state,
			 json_t **out);

#endif
