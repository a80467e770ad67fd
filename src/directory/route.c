#include "base/compat.h"
#include "directory/route.h"
#include "base/text.h"

#include <strings.h>

#define LINE_MAX_BYTES 2048
#define RULES_MAX 1024
#define TERMS_MAX 32   /* per rule */
#define TARGETS_MAX 16 /* per rule */
#define VALUE_MAX 64
#define LOOKUP_TRAFFICKING (-1) /* the "trafficking" pseudo-service */

static const char header[] = "id\tpriority\twhen\ttargets\treason";

enum field_type { T_STRING, T_LIST, T_BOOL };

enum field {
	F_STATUS, F_URGENCY, F_COUNTRY, F_REGION,
	F_KINDS, F_TYPOLOGY, F_PURPOSE, F_INDICATOR,
	F_MINOR, F_ACT, F_MEANS, F_LABOR,
	F_COUNT
};

static const struct {
	const char *name;
	enum field_type type;
	const char *values; /* the allowed values, space-separated; NULL: any */
} fields[F_COUNT] = {
	[F_STATUS] = {"status", T_STRING, "likely possible not_indicated"},
	[F_URGENCY] = {"urgency", T_STRING, "crisis priority routine"},
	[F_COUNTRY] = {"country", T_STRING, NULL},
	[F_REGION] = {"region", T_STRING, NULL},
	[F_KINDS] = {"kinds", T_LIST, "sex labor"},
	[F_TYPOLOGY] = {"typology", T_LIST, NULL},
	[F_PURPOSE] = {"purpose", T_LIST, NULL},
	[F_INDICATOR] = {"indicator", T_LIST, NULL},
	[F_MINOR] = {"minor", T_BOOL, NULL},
	[F_ACT] = {"act", T_BOOL, NULL},
	[F_MEANS] = {"means", T_BOOL, NULL},
	[F_LABOR] = {"labor_exploitation", T_BOOL, NULL},
};

enum op { OP_TRUE, OP_EQ, OP_NE, OP_HAS };

struct term {
	enum field field;
	enum op op;
	bool negate;
	bool new_clause; /* the first term after a '|' */
	char value[VALUE_MAX];
};

struct target {
	const struct directory_entry *entry; /* a named entry, or NULL for a lookup */
	int service;                         /* a directory_service or LOOKUP_TRAFFICKING */
	bool in_region;                      /* @region rather than @country */
	unsigned limit;                      /* :N; 0 for all */
};

struct rule {
	const char *id;
	int priority;
	const char *reason;
	struct term terms[TERMS_MAX];
	size_t nterms;
	struct target targets[TARGETS_MAX];
	size_t ntargets;
};

struct route_rules {
	const struct directory *dir;
	char **texts; /* copies of the files; ids and reasons point into them */
	size_t ntexts;
	struct rule *rules;
	size_t n, cap;
};

struct parser {
	struct route_rules *r;
	const char *file;
	unsigned line;
	char *err;
	size_t errsize;
};

static int perr(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errsize, "%s:%u: ", p->file, p->line);
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

	while (*s == ' ')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

static bool is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

/* Whether word is one of the space-separated words in list. */
static bool in_list(const char *list, const char *word)
{
	size_t n = strlen(word);

	while (*list) {
		size_t m = strcspn(list, " ");

		if (m == n && !strncmp(list, word, n))
			return true;
		list += m;
		while (*list == ' ')
			list++;
	}
	return false;
}

static int check_value(struct parser *p, struct term *t)
{
	const char *v = t->value;
	size_t n = strlen(v);

	if (t->field == F_COUNTRY) {
		if (n != 2 || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 2)
			return perr(p, "country \"%s\" is not an upper-case ISO 3166-1 code", v);
	} else if (t->field == F_REGION && t->op != OP_HAS) {
		if (n < 4 || n >= DIRECTORY_REGION_SIZE || v[2] != '-')
			return perr(p, "region \"%s\" is not an ISO 3166-2 code such as US-CA", v);
	} else if (fields[t->field].values && t->op != OP_HAS &&
		   !in_list(fields[t->field].values, v)) {
		return perr(p, "%s \"%s\" is not one of: %s", fields[t->field].name, v,
			    fields[t->field].values);
	}
	return VG_OK;
}

/* One term at *s: ['!'] field [op value]. */
static int parse_term(struct parser *p, const char **s, struct term *t)
{
	const char *c = *s, *start;
	size_t n;
	int f;

	while (*c == ' ')
		c++;
	if (*c == '!' && c[1] != '=') {
		t->negate = true;
		c++;
		while (*c == ' ')
			c++;
	}
	for (start = c; is_word_char(*c); c++)
		;
	n = (size_t)(c - start);
	for (f = 0; f < F_COUNT; f++) {
		if (strlen(fields[f].name) == n && !strncmp(fields[f].name, start, n))
			break;
	}
	if (f == F_COUNT)
		return perr(p, "unknown field \"%.*s\" in the condition", (int)(n ? n : 1), start);
	t->field = (enum field)f;
	while (*c == ' ')
		c++;
	if (*c == '=') {
		t->op = OP_EQ;
		c++;
	} else if (*c == '!' && c[1] == '=') {
		t->op = OP_NE;
		c += 2;
	} else if (*c == '~') {
		t->op = OP_HAS;
		c++;
	} else {
		t->op = OP_TRUE;
	}
	if ((t->op == OP_TRUE) != (fields[f].type == T_BOOL)) {
		return fields[f].type == T_BOOL ?
			perr(p, "%s is yes or no: write \"%s\" or \"!%s\"", fields[f].name,
			     fields[f].name, fields[f].name) :
			perr(p, "%s needs =, != or ~ and a value", fields[f].name);
	}
	if (t->op != OP_TRUE) {
		while (*c == ' ')
			c++;
		for (start = c; is_word_char(*c); c++)
			;
		n = (size_t)(c - start);
		if (!n)
			return perr(p, "%s: expected a value", fields[f].name);
		if (n >= VALUE_MAX)
			return perr(p, "%s: value longer than %d bytes", fields[f].name, VALUE_MAX - 1);
		memcpy(t->value, start, n);
		t->value[n] = '\0';
		if (check_value(p, t))
			return VG_INVAL;
	}
	while (*c == ' ')
		c++;
	*s = c;
	return VG_OK;
}

static int parse_when(struct parser *p, struct rule *rule, const char *s)
{
	bool new_clause = true;
	int rc;

	for (;;) {
		struct term *t;

		if (rule->nterms == TERMS_MAX)
			return perr(p, "more than %d terms in one condition", TERMS_MAX);
		t = &rule->terms[rule->nterms++];
		memset(t, 0, sizeof(*t));
		t->new_clause = new_clause;
		rc = parse_term(p, &s, t);
		if (rc)
			return rc;
		if (!*s)
			return VG_OK;
		if (*s != '&' && *s != '|')
			return perr(p, "expected & or | at \"%.20s\"", s);
		new_clause = *s == '|';
		s++;
	}
}

static int parse_target(struct parser *p, struct target *t, char *s)
{
	char *at = strchr(s, '@'), *scope, *colon, *end;
	enum directory_service svc;
	long limit = 0;

	memset(t, 0, sizeof(*t));
	if (!at) {
		t->entry = directory_find(p->r->dir, s);
		if (!t->entry)
			return perr(p, "target \"%s\" is not an entry of the directory", s);
		return VG_OK;
	}
	*at = '\0';
	scope = at + 1;
	colon = strchr(scope, ':');
	if (colon) {
		*colon = '\0';
		errno = 0;
		limit = strtol(colon + 1, &end, 10);
		if (errno || end == colon + 1 || *end || limit < 1 || limit > 100)
			return perr(p, "\":%s\" is not a count from 1 to 100", colon + 1);
	}
	if (!strcmp(s, "trafficking"))
		t->service = LOOKUP_TRAFFICKING;
	else if (!directory_service_parse(s, &svc))
		t->service = (int)svc;
	else
		return perr(p, "\"%s\" is neither a service nor \"trafficking\"", s);
	if (strcmp(scope, "country") && strcmp(scope, "region"))
		return perr(p, "lookup \"%s@%s\": the scope is country or region", s, scope);
	t->in_region = !strcmp(scope, "region");
	t->limit = (unsigned)limit;
	return VG_OK;
}

static int parse_targets(struct parser *p, struct rule *rule, char *s)
{
	for (;;) {
		char *comma = strchr(s, ',');
		int rc;

		if (comma)
			*comma = '\0';
		if (rule->ntargets == TARGETS_MAX)
			return perr(p, "more than %d targets", TARGETS_MAX);
		s = trim(s);
		if (!*s)
			return perr(p, "empty target");
		rc = parse_target(p, &rule->targets[rule->ntargets++], s);
		if (rc)
			return rc;
		if (!comma)
			return VG_OK;
		s = comma + 1;
	}
}

static bool valid_rule_id(const char *s)
{
	size_t n = strlen(s);

	return n && n <= 63 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

static int parse_rule(struct parser *p, char *line)
{
	struct route_rules *r = p->r;
	struct rule *rule;
	char *col[5], *end;
	size_t i;
	long prio;

	for (i = 0; i < 5; i++) {
		char *tab = strchr(line, '\t');

		col[i] = line;
		if (i < 4) {
			if (!tab)
				return perr(p, "expected 5 tab-separated columns: %s", header);
			*tab = '\0';
			line = tab + 1;
		} else if (tab) {
			return perr(p, "more than 5 columns");
		}
		col[i] = trim(col[i]);
		if (!*col[i])
			return perr(p, "empty column %zu", i + 1);
	}
	if (!valid_rule_id(col[0]))
		return perr(p, "bad rule id \"%s\" (a-z, 0-9, - and _)", col[0]);
	for (i = 0; i < r->n; i++) {
		if (!strcmp(r->rules[i].id, col[0]))
			return perr(p, "rule id %s is used twice", col[0]);
	}
	errno = 0;
	prio = strtol(col[1], &end, 10);
	if (errno || *end || prio < 1 || prio > ROUTE_PRIORITY_MAX)
		return perr(p, "priority \"%s\" is not a number from 1 to %d", col[1],
			    ROUTE_PRIORITY_MAX);
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		struct rule *v;

		if (cap > RULES_MAX)
			return perr(p, "more than %d rules", RULES_MAX);
		v = realloc(r->rules, cap * sizeof(*v));
		if (!v)
			return VG_NOMEM;
		r->rules = v;
		r->cap = cap;
	}
	rule = &r->rules[r->n];
	memset(rule, 0, sizeof(*rule));
	rule->id = col[0];
	rule->priority = (int)prio;
	rule->reason = col[4];
	if (parse_when(p, rule, col[2]) || parse_targets(p, rule, col[3]))
		return VG_INVAL;
	r->n++;
	return VG_OK;
}

static int parse_file(struct parser *p, char *text, size_t len)
{
	char *line = text, *end = text + len;
	bool have_header = false;
	int rc;

	p->line = 0;
	while (line < end) {
		char *nl = memchr(line, '\n', (size_t)(end - line));

		if (nl)
			*nl = '\0';
		p->line++;
		if (strlen(line) > LINE_MAX_BYTES)
			return perr(p, "line longer than %d bytes", LINE_MAX_BYTES);
		if (*line && *line != '#' && *trim(line)) {
			if (!have_header) {
				if (strcmp(trim(line), header))
					return perr(p, "the first line must be the header: %s", header);
				have_header = true;
			} else {
				rc = parse_rule(p, line);
				if (rc)
					return rc;
			}
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	if (!have_header)
		return perr(p, "no header line (%s)", header);
	return VG_OK;
}

int route_parse(const struct directory *dir, const struct directory_file *files, size_t n,
		struct route_rules **out, char *err, size_t errsize)
{
	struct route_rules *r = calloc(1, sizeof(*r));
	struct parser p = { .r = r, .err = err, .errsize = errsize };
	size_t i;
	int rc = VG_OK;

	if (!r)
		return VG_NOMEM;
	r->dir = dir;
	r->texts = calloc(n + 1, sizeof(*r->texts));
	if (!r->texts) {
		rc = VG_NOMEM;
		goto out;
	}
	for (i = 0; i < n && !rc; i++) {
		char *copy;

		if (files[i].len > DIRECTORY_FILE_MAX ||
		    text_check(files[i].text, files[i].len, DIRECTORY_FILE_MAX)) {
			snprintf(err, errsize, "%s: not UTF-8 text of at most %u bytes", files[i].name,
				 DIRECTORY_FILE_MAX);
			rc = VG_INVAL;
			break;
		}
		copy = malloc(files[i].len + 1);
		if (!copy) {
			rc = VG_NOMEM;
			break;
		}
		memcpy(copy, files[i].text, files[i].len);
		copy[files[i].len] = '\0';
		r->texts[r->ntexts++] = copy;
		p.file = files[i].name;
		rc = parse_file(&p, copy, files[i].len);
	}
out:
	if (rc) {
		if (rc == VG_NOMEM)
			snprintf(err, errsize, "%s", vg_strerror(rc));
		route_free(r);
		return rc;
	}
	*out = r;
	return VG_OK;
}

void route_free(struct route_rules *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->ntexts; i++)
		free(r->texts[i]);
	free(r->texts);
	free(r->rules);
	free(r);
}

size_t route_count(const struct route_rules *r)
{
	return r->n;
}

const char *route_rule_id(const struct route_rules *r, size_t i)
{
	assert(i < r->n);
	return r->rules[i].id;
}

int route_place_set(struct route_place *out, const char *country, const char *region)
{
	struct route_place pl = { "", "" };
	size_t n;

	if (country && *country) {
		if (!text_is_alpha(country, 2))
			return VG_INVAL;
		pl.country[0] = (char)(country[0] & ~0x20);
		pl.country[1] = (char)(country[1] & ~0x20);
	}
	if (region && *region) {
		if (!*pl.country)
			return VG_INVAL;
		/* "US-CA": the prefix must be the place's country. */
		if (strlen(region) > 3 && region[2] == '-') {
			if (strncasecmp(region, pl.country, 2))
				return VG_INVAL;
			region += 3;
		}
		n = strlen(region);
		if (n < 1 || n > 3 || strspn(region, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "abcdefghijklmnopqrstuvwxyz0123456789") != n)
			return VG_INVAL;
		memcpy(pl.region, pl.country, 2);
		pl.region[2] = '-';
		for (size_t i = 0; i < n; i++)
			pl.region[3 + i] = (char)(region[i] >= 'a' && region[i] <= 'z' ?
						  region[i] & ~0x20 : region[i]);
		pl.region[3 + n] = '\0';
	}
	*out = pl;
	return VG_OK;
}

/* The facts of one screening result the conditions read, checked for type. */
struct facts {
	const char *status;
	const char *urgency;
	const json_t *kinds, *typology, *purpose, *indicators;
	bool minor, act, means, labor;
	const struct route_place *place;
};

static int ferr(char *err, size_t errsize, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int ferr(char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsize, fmt, ap);
	va_end(ap);
	return VG_INVAL;
}

static bool is_string_list(const json_t *a)
{
	size_t i;
	json_t *v;

	if (!json_is_array(a))
		return false;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return false;
	}
	return true;
}

/* A list member: absent is an empty list, anything but strings is an error. */
static int get_list(const json_t *obj, const char *key, const json_t **out,
		    char *err, size_t errsize)
{
	const json_t *v = obj ? json_object_get(obj, key) : NULL;

	if (v && !json_is_null(v) && !is_string_list(v))
		return ferr(err, errsize, "\"%s\" must be a list of strings", key);
	*out = v && !json_is_null(v) ? v : NULL;
	return VG_OK;
}

static int get_bool(const json_t *obj, const char *key, bool *out, char *err, size_t errsize)
{
	const json_t *v = obj ? json_object_get(obj, key) : NULL;

	if (v && !json_is_null(v) && !json_is_boolean(v))
		return ferr(err, errsize, "\"%s\" must be true or false", key);
	*out = json_is_true(v);
	return VG_OK;
}

static int get_string(const json_t *obj, const char *key, enum field f, const char **out,
		      char *err, size_t errsize)
{
	const json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v)) {
		*out = "";
		return VG_OK;
	}
	if (!json_is_string(v) || !in_list(fields[f].values, json_string_value(v)))
		return ferr(err, errsize, "\"%s\" must be one of: %s", key, fields[f].values);
	*out = json_string_value(v);
	return VG_OK;
}

static int read_facts(const json_t *s, struct facts *f, char *err, size_t errsize)
{
	const json_t *el, *ind, *item;
	size_t i;

	if (!json_is_object(s))
		return ferr(err, errsize, "a screening result must be a JSON object");
	if (!json_is_string(json_object_get(s, "status")))
		return ferr(err, errsize, "no \"status\": is this the output of vigil screen?");
	el = json_object_get(s, "elements");
	if (el && !json_is_null(el) && !json_is_object(el))
		return ferr(err, errsize, "\"elements\" must be an object");
	if (!json_is_object(el))
		el = NULL;
	if (get_string(s, "status", F_STATUS, &f->status, err, errsize) ||
	    get_string(s, "urgency", F_URGENCY, &f->urgency, err, errsize) ||
	    get_list(s, "kinds", &f->kinds, err, errsize) ||
	    get_list(s, "typology", &f->typology, err, errsize) ||
	    get_list(el, "purpose", &f->purpose, err, errsize) ||
	    get_bool(el, "minor", &f->minor, err, errsize) ||
	    get_bool(el, "act", &f->act, err, errsize) ||
	    get_bool(el, "means", &f->means, err, errsize) ||
	    get_bool(s, "labor_exploitation", &f->labor, err, errsize))
		return VG_INVAL;
	ind = json_object_get(s, "indicators");
	if (ind && !json_is_null(ind) && !json_is_array(ind))
		return ferr(err, errsize, "\"indicators\" must be a list");
	f->indicators = json_is_array(ind) ? ind : NULL;
	json_array_foreach(f->indicators, i, item) {
		const json_t *id = json_object_get(item, "id");

		if (!json_is_object(item) || !json_is_string(json_object_get(item, "category")) ||
		    (id && !json_is_string(id)))
			return ferr(err, errsize, "indicator %zu needs a \"category\" string", i);
	}
	return VG_OK;
}

/* indicator=X: the category is X or under "X.", or the id is X. */
static bool indicator_is(const json_t *item, const char *x)
{
	const char *cat = json_string_value(json_object_get(item, "category"));
	const char *id = json_string_value(json_object_get(item, "id"));
	size_t n = strlen(x);

	if (!strncmp(cat, x, n) && (cat[n] == '\0' || cat[n] == '.'))
		return true;
	return id && !strcmp(id, x);
}

static bool indicator_has(const json_t *item, const char *x)
{
	const char *id = json_string_value(json_object_get(item, "id"));

	return strstr(json_string_value(json_object_get(item, "category")), x) ||
	       (id && strstr(id, x));
}

static bool list_matches(const json_t *list, enum field f, enum op op, const char *x)
{
	const json_t *v;
	size_t i;

	json_array_foreach(list, i, v) {
		bool hit;

		if (f == F_INDICATOR)
			hit = op == OP_HAS ? indicator_has(v, x) : indicator_is(v, x);
		else
			hit = op == OP_HAS ? strstr(json_string_value(v), x) != NULL :
					     !strcmp(json_string_value(v), x);
		if (hit)
			return true;
	}
	return false;
}

static bool eval_term(const struct term *t, const struct facts *f)
{
	const char *s = NULL;
	const json_t *list = NULL;
	bool b = false, hit;

	switch (t->field) {
	case F_STATUS: s = f->status; break;
	case F_URGENCY: s = f->urgency; break;
	case F_COUNTRY: s = f->place->country; break;
	case F_REGION: s = f->place->region; break;
	case F_KINDS: list = f->kinds; break;
	case F_TYPOLOGY: list = f->typology; break;
	case F_PURPOSE: list = f->purpose; break;
	case F_INDICATOR: list = f->indicators; break;
	case F_MINOR: b = f->minor; break;
	case F_ACT: b = f->act; break;
	case F_MEANS: b = f->means; break;
	case F_LABOR: b = f->labor; break;
	case F_COUNT: assert(!"no such field");
	}
	if (t->op == OP_TRUE)
		hit = b;
	else if (s)
		hit = t->op == OP_HAS ? *s && strstr(s, t->value) : !strcmp(s, t->value);
	else
		hit = list_matches(list, t->field, t->op, t->value);
	if (t->op == OP_NE)
		hit = !hit;
	return t->negate ? !hit : hit;
}

static bool eval_rule(const struct rule *rule, const struct facts *f)
{
	bool any = false, clause = true;
	size_t i;

	for (i = 0; i < rule->nterms; i++) {
		if (rule->terms[i].new_clause && i) {
			any = any || clause;
			clause = true;
		}
		clause = clause && eval_term(&rule->terms[i], f);
	}
	return any || clause;
}

/* The candidates gathered so far; each entry at most once. */
struct gather {
	struct route_referral *v;
	size_t n, cap;
	size_t *order; /* rule and target order, for stable sorting */
	size_t seq;
};

static int gather_add(struct gather *g, const struct rule *rule, const struct directory_entry *e,
		      int64_t now)
{
	struct route_referral *ref;
	size_t i;
	int rc;

	for (i = 0; i < g->n; i++) {
		if (g->v[i].entry != e)
			continue;
		/* Rules are visited in file order; a more urgent one takes over. */
		if (rule->priority < g->v[i].priority) {
			g->v[i].priority = rule->priority;
			g->v[i].rule = rule->id;
			g->v[i].reason = rule->reason;
			g->order[i] = g->seq++;
		}
		return VG_OK;
	}
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 16;
		struct route_referral *v = realloc(g->v, cap * sizeof(*v));
		size_t *order;

		if (!v)
			return VG_NOMEM;
		g->v = v;
		order = realloc(g->order, cap * sizeof(*order));
		if (!order)
			return VG_NOMEM;
		g->order = order;
		g->cap = cap;
	}
	ref = &g->v[g->n];
	ref->entry = e;
	ref->rule = rule->id;
	ref->reason = rule->reason;
	ref->priority = rule->priority;
	rc = hours_state_at(&e->hours, now, &ref->state);
	if (rc)
		return rc;
	g->order[g->n++] = g->seq++;
	return VG_OK;
}

static bool in_scope(const struct directory_entry *e, const struct target *t,
		     const struct route_place *pl)
{
	if (!*pl->country || strcmp(e->country, pl->country))
		return false;
	if (t->in_region)
		return *pl->region && !strcmp(e->region, pl->region);
	return !*e->region || !strcmp(e->region, pl->region);
}

static int apply_target(const struct route_rules *r, const struct rule *rule,
			const struct target *t, const struct route_place *pl, int64_t now,
			struct gather *g)
{
	const struct directory_entry *entries;
	size_t i, n, taken = 0;
	int rc;

	if (t->entry)
		return gather_add(g, rule, t->entry, now);
	entries = directory_entries(r->dir, &n);
	for (i = 0; i < n && (!t->limit || taken < t->limit); i++) {
		const struct directory_entry *e = &entries[i];
		bool wanted = t->service == LOOKUP_TRAFFICKING ? e->trafficking :
			      (e->services >> t->service & 1) != 0;

		if (!wanted || !in_scope(e, t, pl))
			continue;
		rc = gather_add(g, rule, e, now);
		if (rc)
			return rc;
		taken++;
	}
	return VG_OK;
}

/* Sorting keys: the referral and its place in rule and target order. */
struct sorted {
	struct route_referral ref;
	size_t order;
};

static int state_rank(enum hours_state s)
{
	return s == HOURS_OPEN ? 0 : s == HOURS_UNKNOWN ? 1 : 2;
}

static int cmp_sorted(const void *a, const void *b)
{
	const struct sorted *x = a, *y = b;

	if (x->ref.priority != y->ref.priority)
		return x->ref.priority < y->ref.priority ? -1 : 1;
	if (state_rank(x->ref.state) != state_rank(y->ref.state))
		return state_rank(x->ref.state) - state_rank(y->ref.state);
	return x->order < y->order ? -1 : x->order > y->order;
}

static int sort_referrals(struct gather *g)
{
	struct sorted *s = calloc(g->n + 1, sizeof(*s));
	size_t i;

	if (!s)
		return VG_NOMEM;
	for (i = 0; i < g->n; i++) {
		s[i].ref = g->v[i];
		s[i].order = g->order[i];
	}
	qsort(s, g->n, sizeof(*s), cmp_sorted);
	for (i = 0; i < g->n; i++)
		g->v[i] = s[i].ref;
	free(s);
	return VG_OK;
}

void route_result_init(struct route_result *res)
{
	res->v = NULL;
	res->n = 0;
}

void route_result_release(struct route_result *res)
{
	free(res->v);
	route_result_init(res);
}

int route_eval(const struct route_rules *r, const json_t *screening,
	       const struct route_place *place, int64_t now,
	       struct route_result *out, char *err, size_t errsize)
{
	struct gather g = { 0 };
	struct facts f = { .place = place };
	size_t i, j;
	int rc;

	rc = read_facts(screening, &f, err, errsize);
	if (rc)
		return rc;
	for (i = 0; i < r->n && !rc; i++) {
		const struct rule *rule = &r->rules[i];

		if (!eval_rule(rule, &f))
			continue;
		for (j = 0; j < rule->ntargets && !rc; j++)
			rc = apply_target(r, rule, &rule->targets[j], place, now, &g);
	}
	if (!rc)
		rc = sort_referrals(&g);
	free(g.order);
	if (rc) {
		free(g.v);
		snprintf(err, errsize, "%s", vg_strerror(rc));
		return rc;
	}
	route_result_release(out);
	out->v = g.v;
	out->n = g.n;
	return VG_OK;
}

static json_t *string_or_null(const struct directory_channel *ch)
{
	return ch ? json_string(ch->value) : json_null();
}

int route_result_json(const struct route_result *res, json_t **out)
{
	json_t *a = json_array();
	size_t i;

	if (!a)
		return VG_NOMEM;
	for (i = 0; i < res->n; i++) {
		const struct route_referral *ref = &res->v[i];
		const struct directory_entry *e = ref->entry;
		json_t *open = ref->state == HOURS_UNKNOWN ? json_null() :
			       json_boolean(ref->state == HOURS_OPEN);
		json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:o, s:i, s:s}",
				      "id", e->id, "name", e->name,
				      "phone", string_or_null(directory_dial(e)),
				      "email", string_or_null(directory_channel(e, DIR_CH_EMAIL)),
				      "web", string_or_null(directory_channel(e, DIR_CH_WEB)),
				      "reason", ref->reason, "open_now", open,
				      "priority", ref->priority, "rule", ref->rule);

		if (!o || json_array_append_new(a, o)) {
			json_decref(a);
			return VG_NOMEM;
		}
	}
	*out = a;
	return VG_OK;
}
