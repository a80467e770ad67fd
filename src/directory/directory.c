#include "base/compat.h"
#include "directory/directory.h"
#include "directory/geo.h"
#include "base/text.h"

#include <strings.h>

#define LINE_MAX_BYTES 1024
#define ENTRIES_MAX 4096
#define CHANNELS_MAX 16 /* per entry */
#define PARTS_MAX 3     /* "value | written | note" */

struct directory {
	char **texts; /* copies of the files; every string points into them */
	char **names; /* copies of the file names, for entries' `file` */
	size_t ntexts;
	struct directory_entry *entries;
	size_t n, cap;
	size_t *first; /* entries[i]'s first channel in channels[] */
	struct directory_channel *channels;
	size_t nchannels, chcap;
	const struct directory_entry **by_id; /* sorted, for lookups */
};

static const char *const service_names[DIR_SVC_COUNT] = {
	"emergency", "report", "help", "child", "labor", "women", "refugees",
	"visa_fraud", "wage_theft", "discrimination", "training",
};

static const char *const channel_names[DIR_CH_COUNT] = {
	"phone", "short", "text", "email", "web",
};

static const char *const field_names[DIR_F_COUNT] = {
	"name", "country", "region", "area", "phone", "short", "text", "email", "web",
	"hours", "zone", "holidays", "languages", "services", "trafficking", "note",
};

const char *directory_service_name(enum directory_service s)
{
	assert(s < DIR_SVC_COUNT);
	return service_names[s];
}

int directory_service_parse(const char *name, enum directory_service *out)
{
	size_t i;

	for (i = 0; i < DIR_SVC_COUNT; i++) {
		if (!strcmp(name, service_names[i])) {
			*out = (enum directory_service)i;
			return VG_OK;
		}
	}
	return VG_NOTFOUND;
}

const char *directory_channel_name(enum directory_channel_kind k)
{
	assert(k < DIR_CH_COUNT);
	return channel_names[k];
}

/* The state of a parse: where we are, and the entry being filled. */
struct parser {
	struct directory *d;
	const char *file;
	unsigned line;
	char *err;
	size_t errsize;
	bool in_entry;
	unsigned seen;             /* bit per field given once in this entry */
	const char *source;        /* the entry's "source" */
	const char *field_source[DIR_F_COUNT];
	const char *zone;
	unsigned hours_line;
};

static int perr(struct parser *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(struct parser *p, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errsize, "%s:%u: ", p->file, line);
	if (n >= 0 && (size_t)n < p->errsize) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errsize - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return VG_INVAL;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

static bool is_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	if (n < min || n > max)
		return false;
	return strspn(s, "0123456789") == n;
}

static bool valid_id(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n > DIRECTORY_ID_MAX || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++) {
		bool ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
			  (s[i] == '-' && s[i + 1] != '-');

		if (!ok)
			return false;
	}
	return true;
}

static bool is_upper2(const char *s)
{
	return strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

/* E.164: "+", a country code that does not start with 0, 8 to 15 digits in all. */
static bool valid_e164(const char *s)
{
	return s[0] == '+' && s[1] >= '1' && s[1] <= '9' && is_digits(s + 1, 8, 15);
}

/* A number as people write it, vanity letters included ("1-800-THE-LOST"). */
static bool valid_written(const char *s)
{
	size_t n = strlen(s);

	return n && strspn(s, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ +()./-") == n;
}

static bool valid_email(const char *s)
{
	const char *at = strchr(s, '@');
	size_t i;

	if (!at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.'))
		return false;
	for (i = 0; s[i]; i++) {
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f || s[i] == '<' ||
		    s[i] == '>' || s[i] == '"')
			return false;
	}
	return at[1] != '.' && s[strlen(s) - 1] != '.';
}

static bool valid_url(const char *s)
{
	size_t i;

	if (strncmp(s, "https://", 8) && strncmp(s, "http://", 7))
		return false;
	for (i = 0; s[i]; i++) {
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f || s[i] == '<' ||
		    s[i] == '>' || s[i] == '"')
			return false;
	}
	return strlen(s) > (s[4] == 's' ? 8u : 7u);
}

/* A BCP 47 tag as the data uses them: "en", "uk", "pt-BR", "*" for any. */
static bool valid_language(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz"), m;

	if (!strcmp(s, "*"))
		return true;
	if (n < 2 || n > 3)
		return false;
	if (!s[n])
		return true;
	if (s[n] != '-')
		return false;
	m = strspn(s + n + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
	return m >= 2 && m <= 8 && !s[n + 1 + m];
}

/* Splits s at sep into at most max trimmed parts; the count, or -1 for more. */
static int split(char *s, char sep, char **parts, int max)
{
	int n = 0;

	for (;;) {
		char *next = strchr(s, sep);

		if (n == max)
			return -1;
		if (next)
			*next = '\0';
		parts[n++] = trim(s);
		if (!next)
			return n;
		s = next + 1;
	}
}

static struct directory_entry *current(struct parser *p)
{
	return &p->d->entries[p->d->n - 1];
}

static int add_channel(struct parser *p, enum directory_channel_kind kind, char *value)
{
	struct directory *d = p->d;
	struct directory_entry *e = current(p);
	struct directory_channel *ch;
	char *parts[PARTS_MAX];
	int n, max = kind == DIR_CH_EMAIL || kind == DIR_CH_WEB ? 2 : 3;

	if (e->nchannels == CHANNELS_MAX)
		return perr(p, p->line, "more than %d channels in one entry", CHANNELS_MAX);
	n = split(value, '|', parts, max);
	if (n < 0)
		return perr(p, p->line, "%s takes at most %d parts separated by '|'",
			    channel_names[kind], max);
	if (d->nchannels == d->chcap) {
		size_t cap = d->chcap ? 2 * d->chcap : 64;
		struct directory_channel *v = realloc(d->channels, cap * sizeof(*v));

		if (!v)
			return VG_NOMEM;
		d->channels = v;
		d->chcap = cap;
	}
	ch = &d->channels[d->nchannels];
	ch->kind = kind;
	ch->value = parts[0];
	ch->written = n >= 2 && max == 3 ? parts[1] : parts[0];
	ch->note = n == max ? parts[max - 1] : "";
	switch (kind) {
	case DIR_CH_PHONE:
		if (!valid_e164(ch->value))
			return perr(p, p->line, "phone \"%s\" is not E.164 (+ and 8 to 15 digits)",
				    ch->value);
		break;
	case DIR_CH_SHORT:
		if (!is_digits(ch->value, 2, 6))
			return perr(p, p->line, "short number \"%s\" is not 2 to 6 digits", ch->value);
		break;
	case DIR_CH_TEXT:
		if (!valid_e164(ch->value) && !is_digits(ch->value, 3, 8))
			return perr(p, p->line, "text number \"%s\" is neither E.164 nor a short code",
				    ch->value);
		break;
	case DIR_CH_EMAIL:
		if (!valid_email(ch->value))
			return perr(p, p->line, "bad e-mail address \"%s\"", ch->value);
		break;
	case DIR_CH_WEB:
		if (!valid_url(ch->value))
			return perr(p, p->line, "web address \"%s\" must be an http(s) URL", ch->value);
		break;
	case DIR_CH_COUNT:
		assert(!"no such channel");
	}
	if (max == 3 && n >= 2 && !*parts[1])
		return perr(p, p->line, "empty number as written");
	if (max == 3 && !valid_written(ch->written))
		return perr(p, p->line, "\"%s\": a number as written has only digits, capitals, "
			    "spaces and + ( ) . / -", ch->written);
	d->nchannels++;
	e->nchannels++;
	return VG_OK;
}

static int set_services(struct parser *p, char *value)
{
	struct directory_entry *e = current(p);
	char *parts[DIR_SVC_COUNT];
	int i, n = split(value, ',', parts, DIR_SVC_COUNT);

	if (n < 0)
		return perr(p, p->line, "a service is listed twice");
	for (i = 0; i < n; i++) {
		enum directory_service s;

		if (directory_service_parse(parts[i], &s))
			return perr(p, p->line, "unknown service \"%s\"", parts[i]);
		if (e->services & (1u << s))
			return perr(p, p->line, "service \"%s\" is listed twice", parts[i]);
		e->services |= 1u << s;
	}
	return VG_OK;
}

static int set_languages(struct parser *p, char *value)
{
	struct directory_entry *e = current(p);
	char *parts[DIRECTORY_LANGUAGES_MAX];
	int i, n = split(value, ',', parts, DIRECTORY_LANGUAGES_MAX);

	if (n < 0)
		return perr(p, p->line, "more than %d languages", DIRECTORY_LANGUAGES_MAX);
	for (i = 0; i < n; i++) {
		if (!valid_language(parts[i]))
			return perr(p, p->line, "bad language tag \"%s\" (\"en\", \"pt-BR\" or \"*\")",
				    parts[i]);
		e->languages[i] = parts[i];
	}
	e->nlanguages = (size_t)n;
	return VG_OK;
}

static int field_from_name(const char *name)
{
	int i;

	for (i = 0; i < DIR_F_COUNT; i++) {
		if (!strcmp(name, field_names[i]))
			return i;
	}
	return -1;
}

static int set_field(struct parser *p, int f, char *value)
{
	struct directory_entry *e = current(p);

	switch (f) {
	case DIR_F_PHONE:
		return add_channel(p, DIR_CH_PHONE, value);
	case DIR_F_SHORT:
		return add_channel(p, DIR_CH_SHORT, value);
	case DIR_F_TEXT:
		return add_channel(p, DIR_CH_TEXT, value);
	case DIR_F_EMAIL:
		return add_channel(p, DIR_CH_EMAIL, value);
	case DIR_F_WEB:
		return add_channel(p, DIR_CH_WEB, value);
	default:
		break;
	}
	if (p->seen & (1u << f))
		return perr(p, p->line, "%s is given twice", field_names[f]);
	p->seen |= 1u << f;
	switch (f) {
	case DIR_F_NAME:
		e->name = value;
		break;
	case DIR_F_COUNTRY:
		if (!is_upper2(value))
			return perr(p, p->line, "country \"%s\" is not an ISO 3166-1 code such as US",
				    value);
		memcpy(e->country, value, 3);
		break;
	case DIR_F_REGION: {
		size_t n = strlen(value);

		if (n < 4 || n >= DIRECTORY_REGION_SIZE || value[2] != '-' ||
		    strspn(value + 3, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != n - 3)
			return perr(p, p->line, "region \"%s\" is not an ISO 3166-2 code such as US-CA",
				    value);
		memcpy(e->region, value, n + 1);
		break;
	}
	case DIR_F_AREA:
		e->area = value;
		break;
	case DIR_F_HOURS:
		e->hours_text = value;
		p->hours_line = p->line;
		break;
	case DIR_F_ZONE:
		p->zone = value;
		break;
	case DIR_F_HOLIDAYS:
		e->holidays = value;
		break;
	case DIR_F_LANGUAGES:
		return set_languages(p, value);
	case DIR_F_SERVICES:
		return set_services(p, value);
	case DIR_F_TRAFFICKING:
		if (strcmp(value, "yes") && strcmp(value, "no"))
			return perr(p, p->line, "trafficking is yes or no");
		e->trafficking = !strcmp(value, "yes");
		break;
	case DIR_F_NOTE:
		e->note = value;
		break;
	default:
		assert(!"unhandled field");
	}
	return VG_OK;
}

static int set_source(struct parser *p, const char *key, char *value)
{
	int f;

	if (!*value)
		return perr(p, p->line, "empty %s", key);
	if (!strcmp(key, "source")) {
		if (p->source)
			return perr(p, p->line, "source is given twice");
		p->source = value;
		return VG_OK;
	}
	f = field_from_name(key + strlen("source."));
	if (f < 0)
		return perr(p, p->line, "%s: no such field", key);
	if (p->field_source[f])
		return perr(p, p->line, "%s is given twice", key);
	p->field_source[f] = value;
	return VG_OK;
}

/* Checks the entry just read and completes what depends on all its lines. */
static int finish_entry(struct parser *p)
{
	struct directory_entry *e;
	char herr[160];
	int f, rc;

	if (!p->in_entry)
		return VG_OK;
	p->in_entry = false;
	e = current(p);
	if (!*e->name)
		return perr(p, e->line, "entry %s has no name", e->id);
	if (!*e->country)
		return perr(p, e->line, "entry %s has no country", e->id);
	if (*e->region && strncmp(e->region, e->country, 2))
		return perr(p, e->line, "region %s is not in country %s", e->region, e->country);
	if (!e->services)
		return perr(p, e->line, "entry %s lists no services", e->id);
	if (!e->nchannels)
		return perr(p, e->line, "entry %s has no phone, short number, text, email or web",
			    e->id);
	if (!p->source)
		return perr(p, e->line, "entry %s has no source", e->id);
	if (*e->hours_text) {
		rc = hours_parse(e->hours_text, p->zone, &e->hours, herr, sizeof(herr));
		if (rc)
			return perr(p, p->hours_line, "%s", herr);
	} else if (p->zone) {
		return perr(p, e->line, "entry %s has a zone but no hours", e->id);
	}
	for (f = 0; f < DIR_F_COUNT; f++)
		e->sources[f] = p->field_source[f] ? p->field_source[f] : p->source;
	return VG_OK;
}

static int start_entry(struct parser *p, char *s)
{
	struct directory *d = p->d;
	struct directory_entry *e;
	size_t n = strlen(s);
	int rc;

	rc = finish_entry(p);
	if (rc)
		return rc;
	if (s[n - 1] != ']')
		return perr(p, p->line, "an entry starts with [id]");
	s[n - 1] = '\0';
	s = trim(s + 1);
	if (!valid_id(s))
		return perr(p, p->line, "bad id \"%s\" (lower-case letters, digits and single "
			    "hyphens, at most %d bytes)", s, DIRECTORY_ID_MAX);
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 64;
		struct directory_entry *v;
		size_t *first;

		if (cap > ENTRIES_MAX)
			return perr(p, p->line, "more than %d entries", ENTRIES_MAX);
		v = realloc(d->entries, cap * sizeof(*v));
		if (!v)
			return VG_NOMEM;
		d->entries = v;
		first = realloc(d->first, cap * sizeof(*first));
		if (!first)
			return VG_NOMEM;
		d->first = first;
		d->cap = cap;
	}
	e = &d->entries[d->n];
	memset(e, 0, sizeof(*e));
	e->id = s;
	e->name = e->area = e->hours_text = e->holidays = e->note = "";
	hours_init(&e->hours);
	e->file = p->file;
	e->line = p->line;
	d->first[d->n] = d->nchannels;
	d->n++;
	p->in_entry = true;
	p->seen = 0;
	p->source = NULL;
	p->zone = NULL;
	memset(p->field_source, 0, sizeof(p->field_source));
	return VG_OK;
}

static int parse_line(struct parser *p, char *s)
{
	char *eq, *key, *value;
	int f;

	s = trim(s);
	if (!*s || *s == '#')
		return VG_OK;
	if (*s == '[')
		return start_entry(p, s);
	if (!p->in_entry)
		return perr(p, p->line, "expected [id] before the first field");
	eq = strchr(s, '=');
	if (!eq)
		return perr(p, p->line, "expected key = value");
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	if (!strcmp(key, "source") || !strncmp(key, "source.", 7))
		return set_source(p, key, value);
	f = field_from_name(key);
	if (f < 0)
		return perr(p, p->line, "unknown key \"%s\"", key);
	if (!*value)
		return perr(p, p->line, "empty %s", key);
	return set_field(p, f, value);
}

static int parse_file(struct parser *p, char *text, size_t len)
{
	char *line = text, *end = text + len;
	int rc;

	p->line = 0;
	p->in_entry = false;
	while (line < end) {
		char *nl = memchr(line, '\n', (size_t)(end - line));

		if (nl)
			*nl = '\0';
		p->line++;
		if (strlen(line) > LINE_MAX_BYTES)
			return perr(p, p->line, "line longer than %d bytes", LINE_MAX_BYTES);
		rc = parse_line(p, line);
		if (rc)
			return rc;
		if (!nl)
			break;
		line = nl + 1;
	}
	return finish_entry(p);
}

static int cmp_by_id(const void *a, const void *b)
{
	return strcmp((*(const struct directory_entry *const *)a)->id,
		      (*(const struct directory_entry *const *)b)->id);
}

/* A phone or short number and where it is, for finding one listed twice. */
struct number_ref {
	const struct directory_entry *e;
	const struct directory_channel *ch;
};

/* Phones are global; short numbers are only unique inside one country. */
static int cmp_number(const void *a, const void *b)
{
	const struct number_ref *x = a, *y = b;
	int c = (int)x->ch->kind - (int)y->ch->kind;

	if (c)
		return c;
	if (x->ch->kind == DIR_CH_SHORT) {
		c = strcmp(x->e->country, y->e->country);
		if (c)
			return c;
	}
	return strcmp(x->ch->value, y->ch->value);
}

static int check_numbers(struct directory *d, char *err, size_t errsize)
{
	struct number_ref *refs;
	size_t i, j, n = 0;
	int rc = VG_OK;

	refs = calloc(d->nchannels + 1, sizeof(*refs));
	if (!refs)
		return VG_NOMEM;
	for (i = 0; i < d->n; i++) {
		for (j = 0; j < d->entries[i].nchannels; j++) {
			const struct directory_channel *ch = &d->entries[i].channels[j];

			if (ch->kind == DIR_CH_PHONE || ch->kind == DIR_CH_SHORT) {
				refs[n].e = &d->entries[i];
				refs[n++].ch = ch;
			}
		}
	}
	qsort(refs, n, sizeof(*refs), cmp_number);
	for (i = 1; i < n && !rc; i++) {
		const struct directory_entry *a = refs[i - 1].e, *b = refs[i].e;

		if (cmp_number(&refs[i - 1], &refs[i]))
			continue;
		/* Name the later entry in data order: entries are one array. */
		if (a > b) {
			a = refs[i].e;
			b = refs[i - 1].e;
		}
		snprintf(err, errsize, "%s:%u: %s %s is also listed in %s", b->file, b->line,
			 channel_names[refs[i].ch->kind], refs[i].ch->value, a->id);
		rc = VG_INVAL;
	}
	free(refs);
	return rc;
}

static int finish_directory(struct directory *d, char *err, size_t errsize)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		d->entries[i].channels = d->channels + d->first[i];
	d->by_id = calloc(d->n + 1, sizeof(*d->by_id));
	if (!d->by_id)
		return VG_NOMEM;
	for (i = 0; i < d->n; i++)
		d->by_id[i] = &d->entries[i];
	qsort(d->by_id, d->n, sizeof(*d->by_id), cmp_by_id);
	for (i = 1; i < d->n; i++) {
		if (!strcmp(d->by_id[i]->id, d->by_id[i - 1]->id)) {
			const struct directory_entry *a = d->by_id[i - 1], *b = d->by_id[i];

			snprintf(err, errsize, "%s:%u: id %s is also used at %s:%u", b->file, b->line,
				 b->id, a->file, a->line);
			return VG_INVAL;
		}
	}
	return check_numbers(d, err, errsize);
}

int directory_parse(const struct directory_file *files, size_t n,
		    struct directory **out, char *err, size_t errsize)
{
	struct directory *d = calloc(1, sizeof(*d));
	struct parser p = { .d = d, .err = err, .errsize = errsize };
	size_t i;
	int rc = VG_OK;

	if (!d)
		return VG_NOMEM;
	d->texts = calloc(n + 1, sizeof(*d->texts));
	d->names = calloc(n + 1, sizeof(*d->names));
	if (!d->texts || !d->names) {
		rc = VG_NOMEM;
		goto out;
	}
	for (i = 0; i < n && !rc; i++) {
		const struct directory_file *f = &files[i];
		char *copy;

		if (f->len > DIRECTORY_FILE_MAX) {
			snprintf(err, errsize, "%s: larger than %u bytes", f->name, DIRECTORY_FILE_MAX);
			rc = VG_INVAL;
			break;
		}
		if (text_check(f->text, f->len, DIRECTORY_FILE_MAX)) {
			snprintf(err, errsize, "%s: not UTF-8 text", f->name);
			rc = VG_INVAL;
			break;
		}
		copy = malloc(f->len + 1);
		d->names[d->ntexts] = strdup(f->name);
		d->texts[d->ntexts++] = copy;
		if (!copy || !d->names[d->ntexts - 1]) {
			rc = VG_NOMEM;
			break;
		}
		memcpy(copy, f->text, f->len);
		copy[f->len] = '\0';
		p.file = d->names[d->ntexts - 1];
		rc = parse_file(&p, copy, f->len);
	}
	if (!rc)
		rc = finish_directory(d, err, errsize);
out:
	if (rc) {
		if (rc == VG_NOMEM)
			snprintf(err, errsize, "%s", vg_strerror(rc));
		directory_free(d);
		return rc;
	}
	*out = d;
	return VG_OK;
}

void directory_free(struct directory *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->ntexts; i++) {
		free(d->texts[i]);
		free(d->names[i]);
	}
	free(d->texts);
	free(d->names);
	free(d->entries);
	free(d->first);
	free(d->channels);
	free(d->by_id);
	free(d);
}

const struct directory_entry *directory_entries(const struct directory *d, size_t *n)
{
	*n = d->n;
	return d->entries;
}

const struct directory_entry *directory_find(const struct directory *d, const char *id)
{
	struct directory_entry key = { .id = id };
	const struct directory_entry *kp = &key, *const *hit;

	hit = bsearch(&kp, d->by_id, d->n, sizeof(*d->by_id), cmp_by_id);
	return hit ? *hit : NULL;
}

int directory_check_geo(const struct directory *d, const struct geo *g,
			char *err, size_t errsize)
{
	char suffix[GEO_REGION_SIZE];
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct directory_entry *e = &d->entries[i];

		if (!geo_country(g, e->country)) {
			snprintf(err, errsize, "%s:%u: unknown country %s", e->file, e->line, e->country);
			return VG_INVAL;
		}
		if (*e->region && geo_region_find(g, e->country, e->region, suffix)) {
			snprintf(err, errsize, "%s:%u: unknown region %s", e->file, e->line, e->region);
			return VG_INVAL;
		}
	}
	return VG_OK;
}

const struct directory_channel *directory_channel(const struct directory_entry *e,
						  enum directory_channel_kind k)
{
	size_t i;

	for (i = 0; i < e->nchannels; i++) {
		if (e->channels[i].kind == k)
			return &e->channels[i];
	}
	return NULL;
}

const struct directory_channel *directory_dial(const struct directory_entry *e)
{
	size_t i;

	for (i = 0; i < e->nchannels; i++) {
		if (e->channels[i].kind == DIR_CH_PHONE || e->channels[i].kind == DIR_CH_SHORT)
			return &e->channels[i];
	}
	return NULL;
}

void directory_hits_init(struct directory_hits *h)
{
	h->v = NULL;
	h->n = 0;
}

void directory_hits_release(struct directory_hits *h)
{
	free(h->v);
	directory_hits_init(h);
}

/* Where a hit goes in the list: emergency, then open, unknown, closed. */
static int hit_rank(const struct directory_hit *h)
{
	static const int by_state[] = {
		[HOURS_OPEN] = 1, [HOURS_UNKNOWN] = 2, [HOURS_CLOSED] = 3,
	};

	if (h->entry->services & (1u << DIR_SVC_EMERGENCY))
		return h->state == HOURS_CLOSED ? by_state[HOURS_CLOSED] : 0;
	return by_state[h->state];
}

static int cmp_hits(const void *a, const void *b)
{
	const struct directory_hit *x = a, *y = b;
	int c = hit_rank(x) - hit_rank(y);

	if (c)
		return c;
	/* Entries are one array in data order, so their addresses keep it. */
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

static bool matches(const struct directory_entry *e, const struct directory_query *q)
{
	if (q->country && *q->country && strcasecmp(e->country, q->country))
		return false;
	if (q->region && *q->region &&
	    (strncasecmp(e->country, q->region, 2) || (*e->region && strcasecmp(e->region, q->region))))
		return false;
	if (q->service >= 0 && !(e->services & (1u << q->service)))
		return false;
	return true;
}

int directory_query(const struct directory *d, const struct directory_query *q,
		    struct directory_hits *out)
{
	struct directory_hit *v;
	size_t i, n = 0;
	int rc = VG_OK;

	assert(q->service < DIR_SVC_COUNT);
	v = calloc(d->n + 1, sizeof(*v));
	if (!v)
		return VG_NOMEM;
	for (i = 0; i < d->n; i++) {
		const struct directory_entry *e = &d->entries[i];
		enum hours_state st;

		if (!matches(e, q))
			continue;
		rc = hours_state_at(&e->hours, q->now, &st);
		if (rc)
			goto out;
		if (q->open_only && st != HOURS_OPEN)
			continue;
		v[n].entry = e;
		v[n++].state = st;
	}
	qsort(v, n, sizeof(*v), cmp_hits);
out:
	if (rc) {
		free(v);
		return rc;
	}
	directory_hits_release(out);
	out->v = v;
	out->n = n;
	return VG_OK;
}

static json_t *string_or_null(const char *s)
{
	return *s ? json_string(s) : json_null();
}

/* Whether entry e has the fact f, so that its source is worth showing. */
static bool has_field(const struct directory_entry *e, enum directory_field f)
{
	static const enum directory_channel_kind kinds[] = {
		[DIR_F_PHONE] = DIR_CH_PHONE, [DIR_F_SHORT] = DIR_CH_SHORT,
		[DIR_F_TEXT] = DIR_CH_TEXT, [DIR_F_EMAIL] = DIR_CH_EMAIL, [DIR_F_WEB] = DIR_CH_WEB,
	};

	switch (f) {
	case DIR_F_REGION: return *e->region;
	case DIR_F_AREA: return *e->area;
	case DIR_F_PHONE: case DIR_F_SHORT: case DIR_F_TEXT: case DIR_F_EMAIL: case DIR_F_WEB:
		return directory_channel(e, kinds[f]) != NULL;
	case DIR_F_HOURS: return *e->hours_text;
	case DIR_F_ZONE: return *e->hours.zone;
	case DIR_F_HOLIDAYS: return *e->holidays;
	case DIR_F_LANGUAGES: return e->nlanguages > 0;
	case DIR_F_TRAFFICKING: return e->trafficking;
	case DIR_F_NOTE: return *e->note;
	default: return true;
	}
}

int directory_entry_json(const struct directory_entry *e, enum hours_state state,
			 json_t **out)
{
	json_t *o, *channels = json_array(), *languages = json_array(), *services = json_array();
	json_t *sources = json_object();
	size_t i;
	int fails = !channels || !languages || !services || !sources;

	for (i = 0; !fails && i < e->nchannels; i++) {
		const struct directory_channel *ch = &e->channels[i];

		fails |= json_array_append_new(channels, json_pack("{s:s, s:s, s:s, s:o}",
			"kind", channel_names[ch->kind], "value", ch->value, "written", ch->written,
			"note", string_or_null(ch->note)));
	}
	for (i = 0; !fails && i < e->nlanguages; i++)
		fails |= json_array_append_new(languages, json_string(e->languages[i]));
	for (i = 0; !fails && i < DIR_SVC_COUNT; i++) {
		if (e->services >> i & 1)
			fails |= json_array_append_new(services, json_string(service_names[i]));
	}
	for (i = 0; !fails && i < DIR_F_COUNT; i++) {
		if (has_field(e, (enum directory_field)i))
			fails |= json_object_set_new(sources, field_names[i], json_string(e->sources[i]));
	}
	if (fails) {
		json_decref(channels);
		json_decref(languages);
		json_decref(services);
		json_decref(sources);
		return VG_NOMEM;
	}
	o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:o}",
		      "id", e->id, "name", e->name, "country", e->country,
		      "region", string_or_null(e->region), "area", string_or_null(e->area),
		      "open_now", state == HOURS_UNKNOWN ? json_null() :
				  json_boolean(state == HOURS_OPEN),
		      "channels", channels, "hours", string_or_null(e->hours_text),
		      "zone", string_or_null(e->hours.zone), "holidays", string_or_null(e->holidays),
		      "languages", languages, "services", services, "trafficking", e->trafficking,
		      "note", string_or_null(e->note), "sources", sources);
	if (!o)
		return VG_NOMEM;
	*out = o;
	return VG_OK;
}
