#include "base/compat.h"
#include "web/template.h"

#include "base/log.h"

/*
 * Each template is parsed once, when the set is loaded, into a tree of
 * nodes; rendering walks the tree with a stack of json_t scopes. All limits
 * are fixed so that neither a template nor the data can make rendering
 * recurse or allocate without bound.
 */
enum {
	/* Scopes on the stack at render time, the data itself included. */
	TPL_MAX_DEPTH = 32,
	/* Sections open at once in one file; the data takes the last slot. */
	TPL_MAX_NESTING = TPL_MAX_DEPTH - 1,
	/* Partials rendered inside partials; bounds recursive partials. */
	TPL_MAX_PARTIALS = 16,
};

enum node_kind {
	NODE_TEXT,
	NODE_VAR,
	NODE_SECTION,
	NODE_INVERTED,
	NODE_PARTIAL,
	NODE_TRANSLATE,
};

struct tpl;

struct node {
	enum node_kind kind;
	unsigned line;            /* where the tag starts, for messages */
	struct node *next;        /* the following sibling */
	struct node *child;       /* the body of a section or inverted section */
	const struct tpl *partial; /* the template a partial names */
	size_t len;               /* bytes in str, not counting the NUL */
	char str[];               /* text, name, partial name or msgid */
};

struct tpl {
	char *name;
	struct node *root;
};

struct tpl_set {
	struct tpl *tpls;
	size_t count;
};

/* The parser's state for one file. */
struct parser {
	const struct tpl_set *set;
	const char *file;
	const char *p;
	const char *end;
	unsigned line;
	struct frame {
		struct node *section; /* NULL for the file's top level */
		struct node **tail;   /* where the next node of this body goes */
	} stack[TPL_MAX_NESTING + 1];
	size_t depth;
};

/* The rendering state for one call of tpl_render(). */
struct render {
	tpl_translate_fn tr;
	void *tr_arg;
	struct buf *out;
	json_t *scopes[TPL_MAX_DEPTH];
	size_t nscopes;
	unsigned partials;
};

static void nodes_free(struct node *n)
{
	while (n) {
		struct node *next = n->next;

		nodes_free(n->child);
		free(n);
		n = next;
	}
}

void tpl_set_free(struct tpl_set *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->count; i++) {
		free(set->tpls[i].name);
		nodes_free(set->tpls[i].root);
	}
	free(set->tpls);
	free(set);
}

static const struct tpl *set_find(const struct tpl_set *set, const char *name,
				  size_t len)
{
	size_t i;

	for (i = 0; i < set->count; i++)
		if (strlen(set->tpls[i].name) == len &&
		    !memcmp(set->tpls[i].name, name, len))
			return &set->tpls[i];
	return NULL;
}

__attribute__((format(printf, 3, 4)))
static int parse_error(const struct parser *ps, unsigned line,
		       const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("template %s:%u: %s", ps->file, line, msg);
	return VG_INVAL;
}

static unsigned count_lines(const char *s, size_t len)
{
	unsigned n = 0;
	const char *nl;

	while ((nl = memchr(s, '\n', len))) {
		n++;
		len -= (size_t)(nl - s) + 1;
		s = nl + 1;
	}
	return n;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Appends a node holding a copy of str to the innermost open body. */
static int parser_add(struct parser *ps, enum node_kind kind, unsigned line,
		      const char *str, size_t len, struct node **out)
{
	struct frame *f = &ps->stack[ps->depth];
	struct node *n = malloc(sizeof(*n) + len + 1);

	if (!n)
		return VG_NOMEM;
	n->kind = kind;
	n->line = line;
	n->next = NULL;
	n->child = NULL;
	n->partial = NULL;
	n->len = len;
	memcpy(n->str, str, len);
	n->str[len] = '\0';
	*f->tail = n;
	f->tail = &n->next;
	if (out)
		*out = n;
	return VG_OK;
}

/*
 * A name is "." or dot-separated segments of letters, digits, '_' and '-';
 * a partial's name may also hold '/' for templates in subfolders.
 */
static bool name_valid(const char *s, size_t len, bool partial)
{
	size_t i;
	bool seg_empty = true;

	if (len == 1 && s[0] == '.' && !partial)
		return true;
	if (!len)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.' && !partial) {
			if (seg_empty)
				return false;
			seg_empty = true;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      (c == '/' && partial)))
			return false;
		seg_empty = false;
	}
	return !seg_empty;
}

/*
 * A msgid is the tag's text trimmed, with each run of white space made one
 * space, so that a long sentence may be wrapped over several lines of the
 * template; po/extract.sh builds the same msgid.
 */
static int parse_translate(struct parser *ps, unsigned line, const char *s,
			   size_t len)
{
	char *msgid = malloc(len + 1);
	size_t i, n = 0;
	int rc;

	if (!msgid)
		return VG_NOMEM;
	for (i = 0; i < len; i++) {
		if (!is_space(s[i])) {
			msgid[n++] = s[i];
		} else if (n && msgid[n - 1] != ' ') {
			msgid[n++] = ' ';
		}
	}
	if (n && msgid[n - 1] == ' ')
		n--;
	if (!n)
		rc = parse_error(ps, line, "empty translation tag");
	else
		rc = parser_add(ps, NODE_TRANSLATE, line, msgid, n, NULL);
	free(msgid);
	return rc;
}

static int parse_close(struct parser *ps, unsigned line, const char *name,
		       size_t len)
{
	const struct node *open = ps->stack[ps->depth].section;

	if (!open)
		return parse_error(ps, line, "{{/%.*s}} closes no section",
				   (int)len, name);
	if (open->len != len || memcmp(open->str, name, len))
		return parse_error(ps, line,
				   "{{/%.*s}} does not close {{#%s}} of line %u",
				   (int)len, name, open->str, open->line);
	ps->depth--;
	return VG_OK;
}

static int parse_open(struct parser *ps, enum node_kind kind, unsigned line,
		      const char *name, size_t len)
{
	struct node *n;
	int rc;

	if (ps->depth == TPL_MAX_NESTING)
		return parse_error(ps, line, "sections nested deeper than %d",
				   TPL_MAX_NESTING);
	rc = parser_add(ps, kind, line, name, len, &n);
	if (rc)
		return rc;
	ps->depth++;
	ps->stack[ps->depth].section = n;
	ps->stack[ps->depth].tail = &n->child;
	return VG_OK;
}

/* Parses the inside of one {{...}}: s[0..len) between the braces. */
static int parse_tag(struct parser *ps, unsigned line, const char *s,
		     size_t len)
{
	const char *tag = s;
	size_t tag_len = len;
	char sigil = len ? s[0] : '\0';
	struct node *n;
	int rc;

	if (sigil == '!')
		return VG_OK;
	if (sigil == '_' && len > 1 && is_space(s[1]))
		return parse_translate(ps, line, s + 1, len - 1);
	if (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '>') {
		s++;
		len--;
	}
	while (len && is_space(s[0])) {
		s++;
		len--;
	}
	while (len && is_space(s[len - 1]))
		len--;
	if (!name_valid(s, len, sigil == '>'))
		return parse_error(ps, line, "bad tag {{%.*s}}", (int)tag_len,
				   tag);

	switch (sigil) {
	case '#':
		return parse_open(ps, NODE_SECTION, line, s, len);
	case '^':
		return parse_open(ps, NODE_INVERTED, line, s, len);
	case '/':
		return parse_close(ps, line, s, len);
	case '>':
		n = NULL;
		rc = parser_add(ps, NODE_PARTIAL, line, s, len, &n);
		if (rc)
			return rc;
		n->partial = set_find(ps->set, s, len);
		if (!n->partial)
			return parse_error(ps, line, "unknown partial {{>%s}}",
					   n->str);
		return VG_OK;
	default:
		return parser_add(ps, NODE_VAR, line, s, len, NULL);
	}
}

static int parse_file(const struct tpl_set *set, const struct embedded_file *f,
		      struct node **root)
{
	struct parser ps = {
		.set = set,
		.file = f->name,
		.p = (const char *)f->data,
		.end = (const char *)f->data + f->len,
		.line = 1,
	};
	int rc = VG_OK;

	ps.stack[0].section = NULL;
	ps.stack[0].tail = root;
	if (memchr(ps.p, '\0', f->len))
		return parse_error(&ps, 1, "NUL byte in template");

	while (ps.p < ps.end) {
		size_t left = (size_t)(ps.end - ps.p);
		const char *open = memmem(ps.p, left, "{{", 2);
		const char *body, *close, *nested;
		unsigned line;

		if (!open)
			open = ps.end;
		if (open > ps.p) {
			rc = parser_add(&ps, NODE_TEXT, ps.line, ps.p,
					(size_t)(open - ps.p), NULL);
			if (rc)
				return rc;
			ps.line += count_lines(ps.p, (size_t)(open - ps.p));
		}
		if (open == ps.end)
			break;

		line = ps.line;
		body = open + 2;
		close = memmem(body, (size_t)(ps.end - body), "}}", 2);
		nested = memmem(body, (size_t)((close ? close : ps.end) - body),
				"{{", 2);
		if (!close || nested)
			return parse_error(&ps, line, "unclosed tag");
		rc = parse_tag(&ps, line, body, (size_t)(close - body));
		if (rc)
			return rc;
		ps.line += count_lines(body, (size_t)(close - body));
		ps.p = close + 2;
	}
	if (ps.depth) {
		const struct node *open = ps.stack[ps.depth].section;

		return parse_error(&ps, open->line, "unclosed section {{%c%s}}",
				   open->kind == NODE_SECTION ? '#' : '^',
				   open->str);
	}
	return VG_OK;
}

/* The template's name: the file name without ".html". */
static char *tpl_name(const char *file)
{
	size_t len = strlen(file);

	if (len > 5 && !strcmp(file + len - 5, ".html"))
		len -= 5;
	return strndup(file, len);
}

int tpl_set_load(const struct embedded_file *files, struct tpl_set **out)
{
	struct tpl_set *set;
	size_t i, count = 0;
	int rc = VG_NOMEM;

	while (files[count].name)
		count++;
	set = calloc(1, sizeof(*set));
	if (!set)
		return VG_NOMEM;
	set->tpls = calloc(count ? count : 1, sizeof(*set->tpls));
	if (!set->tpls)
		goto out;
	/* Names first, so that a partial may name a file parsed later. */
	for (i = 0; i < count; i++) {
		set->tpls[i].name = tpl_name(files[i].name);
		if (!set->tpls[i].name)
			goto out;
		set->count++;
	}
	for (i = 0; i < count; i++) {
		rc = parse_file(set, &files[i], &set->tpls[i].root);
		if (rc)
			goto out;
	}
	*out = set;
	set = NULL;
	rc = VG_OK;
out:
	tpl_set_free(set);
	return rc;
}

/* Puts out back to its first len bytes after a failed append. */
static void buf_truncate(struct buf *out, size_t len)
{
	if (out->ptr) {
		out->len = len;
		out->ptr[len] = '\0';
	}
}

static int escape_append(struct buf *out, const char *s, size_t len)
{
	/* U+FFFD for NUL, as an HTML parser would show it. */
	static const char replacement[] = "\xEF\xBF\xBD";
	size_t i, run = 0;
	int rc;

	for (i = 0; i < len; i++) {
		const char *ent;

		switch (s[i]) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		case '`': ent = "&#96;"; break;
		case '\0': ent = replacement; break;
		default: continue;
		}
		rc = buf_add(out, s + run, i - run);
		if (!rc)
			rc = buf_adds(out, ent);
		if (rc)
			return rc;
		run = i + 1;
	}
	return buf_add(out, s + run, len - run);
}

int tpl_escape(struct buf *out, const char *s, size_t len)
{
	size_t start = out->len;
	int rc = escape_append(out, s, len);

	if (rc)
		buf_truncate(out, start);
	return rc;
}

/*
 * The value of name: "." is the innermost scope; otherwise the first
 * segment is looked up from the innermost scope out, and the others inside
 * the value found, so that a.b never falls back to an outer scope's a.
 */
static json_t *lookup(const struct render *r, const char *name)
{
	const char *seg = name, *dot;
	json_t *v = NULL;
	size_t i, len;

	if (!strcmp(name, "."))
		return r->scopes[r->nscopes - 1];
	dot = strchr(seg, '.');
	len = dot ? (size_t)(dot - seg) : strlen(seg);
	for (i = r->nscopes; i-- > 0 && !v;)
		if (json_is_object(r->scopes[i]))
			v = json_object_getn(r->scopes[i], seg, len);
	while (v && dot) {
		seg = dot + 1;
		dot = strchr(seg, '.');
		len = dot ? (size_t)(dot - seg) : strlen(seg);
		v = json_is_object(v) ? json_object_getn(v, seg, len) : NULL;
	}
	return v;
}

static bool truthy(const json_t *v)
{
	if (!v)
		return false;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
	case JSON_TRUE:
		return true;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) < 0 || json_real_value(v) > 0;
	case JSON_FALSE:
	case JSON_NULL:
		break;
	}
	return false;
}

/* Objects and arrays have no text of their own and render as nothing. */
static int render_value(struct render *r, const json_t *v)
{
	if (!v)
		return VG_OK;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return escape_append(r->out, json_string_value(v),
				     json_string_length(v));
	case JSON_INTEGER:
		return buf_addf(r->out, "%" JSON_INTEGER_FORMAT,
				json_integer_value(v));
	case JSON_REAL:
		return buf_addf(r->out, "%.15g", json_real_value(v));
	case JSON_TRUE:
		return buf_adds(r->out, "true");
	case JSON_FALSE:
		return buf_adds(r->out, "false");
	case JSON_NULL:
	case JSON_OBJECT:
	case JSON_ARRAY:
		break;
	}
	return VG_OK;
}

static int render_nodes(struct render *r, const struct node *n);

static int render_scoped(struct render *r, json_t *scope, const struct node *body)
{
	int rc;

	if (r->nscopes == TPL_MAX_DEPTH)
		return VG_TOOBIG;
	r->scopes[r->nscopes++] = scope;
	rc = render_nodes(r, body);
	r->nscopes--;
	return rc;
}

static int render_section(struct render *r, const struct node *n)
{
	json_t *v = lookup(r, n->str);
	size_t i;
	int rc;

	if (n->kind == NODE_INVERTED)
		return truthy(v) ? VG_OK : render_nodes(r, n->child);
	if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++) {
			rc = render_scoped(r, json_array_get(v, i), n->child);
			if (rc)
				return rc;
		}
		return VG_OK;
	}
	return truthy(v) ? render_scoped(r, v, n->child) : VG_OK;
}

static int render_translate(struct render *r, const struct node *n)
{
	const char *s = r->tr ? r->tr(r->tr_arg, n->str) : NULL;

	if (!s)
		return escape_append(r->out, n->str, n->len);
	return escape_append(r->out, s, strlen(s));
}

static int render_nodes(struct render *r, const struct node *n)
{
	int rc = VG_OK;

	for (; n && !rc; n = n->next) {
		switch (n->kind) {
		case NODE_TEXT:
			rc = buf_add(r->out, n->str, n->len);
			break;
		case NODE_VAR:
			rc = render_value(r, lookup(r, n->str));
			break;
		case NODE_SECTION:
		case NODE_INVERTED:
			rc = render_section(r, n);
			break;
		case NODE_PARTIAL:
			if (r->partials == TPL_MAX_PARTIALS)
				return VG_TOOBIG;
			r->partials++;
			rc = render_nodes(r, n->partial->root);
			r->partials--;
			break;
		case NODE_TRANSLATE:
			rc = render_translate(r, n);
			break;
		}
	}
	return rc;
}

int tpl_render(const struct tpl_set *set, const char *name, json_t *data,
	       tpl_translate_fn tr, void *tr_arg, struct buf *out)
{
	const struct tpl *t = set_find(set, name, strlen(name));
	struct render r = {
		.tr = tr,
		.tr_arg = tr_arg,
		.out = out,
	};
	size_t start = out->len;
	int rc;

	assert(data);
	if (!t)
		return VG_NOTFOUND;
	r.scopes[r.nscopes++] = data;
	rc = render_nodes(&r, t->root);
	if (rc)
		buf_truncate(out, start);
	return rc;
}
