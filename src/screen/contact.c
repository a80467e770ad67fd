#include "base/compat.h"
#include "screen/contact.h"

#include "screen/wordset.h"

/* RFC 5321 limits; the scans stop there, which keeps them linear. */
#define LOCAL_MAX 64
#define LABEL_MAX 63
#define DOMAIN_MAX 253
/* The longest handle the platforms allow (Instagram: 30). */
#define HANDLE_MAX 30
/* The longest platform name below ("instagram"). */
#define PLATFORM_MAX 9
/* How far a URL path is read; the value is cut to fit anyway. */
#define URL_SCAN_MAX 2048

#define VALUE_SIZE sizeof(((struct entity *)0)->value)

/*
 * Top-level domains read after a bare domain ("site.com") and in spelled
 * out addresses ("name at site dot com"), where anything else would read
 * ordinary words as addresses ("done.it"). Kept short on purpose: a URL
 * with a scheme or "www." and a plain "name@domain" may have any TLD.
 */
static const char *const tld_common[] = {
	"com", "net", "org", "info", "biz", "xyz", "online", "site", "club",
	"live", "app", "io", "ly", "me", "tv", "co", "uk", "ca", "mx", "eu",
	"fr", "nl", "ru", "vip", "top",
};

/* Country domains of the countries the project covers, for spelled-out addresses. */
static const char *const tld_country[] = {
	"us", "ie", "de", "es", "it", "pt", "be", "at", "ch", "se", "no", "dk",
	"fi", "pl", "cz", "sk", "hu", "ro", "bg", "gr", "hr", "si", "lt", "lv",
	"ee", "lu", "mt", "cy", "au", "nz",
};

/*
 * Words that are far more often English before "at" than the name of a
 * mailbox ("find me at site.com", "look at this dot com").
 */
static const char *const not_local[] = {
	"me", "us", "you", "him", "her", "them", "it", "is", "are", "was", "be",
	"look", "find", "see", "visit", "check", "available", "online", "here",
	"there", "text", "call", "email", "mail", "reach", "contact", "message",
	"dm", "up", "out", "now", "only", "also", "just", "hit", "work", "home",
	"live", "stay", "meet", "info", "book", "booking",
};

/*
 * Social platforms. Those that are also common words or abbreviations need
 * ":", "-", "=" or "@" after them ("snap: name", not "snap a photo").
 */
struct platform {
	const char *word;
	const char *name;
	bool needs_marker;
};

static const struct platform platforms[] = {
	{ "instagram", "instagram", false }, { "insta", "instagram", false },
	{ "ig", "instagram", false }, { "snapchat", "snapchat", false },
	{ "snap", "snapchat", true }, { "sc", "snapchat", true },
	{ "tiktok", "tiktok", false }, { "telegram", "telegram", false },
	{ "tg", "telegram", true }, { "twitter", "twitter", false },
	{ "kik", "kik", false }, { "onlyfans", "onlyfans", false },
	{ "facebook", "facebook", false }, { "fb", "facebook", false },
	{ "wechat", "wechat", false },
};

/* Words after a platform name that are not a handle ("instagram account"). */
static const char *const not_handle[] = {
	"is", "and", "or", "the", "a", "an", "to", "for", "at", "on", "in", "of",
	"me", "my", "her", "his", "him", "account", "page", "profile", "story",
	"stories", "post", "posts", "link", "handle", "name", "user", "username",
	"dm", "dms", "message", "messages", "live", "video", "videos", "photos",
	"pics", "too", "also", "only", "y", "o", "es", "el", "la", "de", "en",
	"mi", "su", "cuenta", "perfil", "por", "para", "con",
};

static int in_list(const char *const *list, size_t count, const char *w, size_t len)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (list[i][0] == w[0] && !strncmp(list[i], w, len) && list[i][len] == '\0')
			return 1;
	return 0;
}

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/*
 * c is one of the bytes of set (never NUL). The sets are a few bytes long,
 * shorter than what a call of strchr() costs.
 */
static int is_one_of(char c, const char *set)
{
	for (; *set; set++)
		if (*set == c)
			return 1;
	return 0;
}

/*
 * Compared one by one rather than through is_one_of(): the local part is
 * walked byte by byte.
 */
static int is_local_char(char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static int is_label_char(char c)
{
	return is_alnum(c) || c == '-';
}

static int is_handle_char(char c)
{
	return is_alnum(c) || c == '_' || c == '.';
}

/* The word w stands at t[i], whole. */
static int word_at(const char *t, size_t len, size_t i, const char *w)
{
	size_t n;

	for (n = 0; w[n]; n++)
		if (i + n >= len || t[i + n] != w[n])
			return 0;
	return n && (i == 0 || !is_alnum(t[i - 1])) && (i + n == len || !is_alnum(t[i + n]));
}

/* "(at)", "[dot]", "{punto}", "<at>": one of words in brackets at t[i]; returns its end or 0. */
static size_t bracketed(const char *t, size_t len, size_t i, const char *w1, const char *w2)
{
	char close;
	size_t n;

	if (i >= len)
		return 0;
	/* Most bytes asked about are no bracket: a switch turns them away at once. */
	switch (t[i]) {
	case '(':
		close = ')';
		break;
	case '[':
		close = ']';
		break;
	case '{':
		close = '}';
		break;
	case '<':
		close = '>';
		break;
	default:
		return 0;
	}
	n = strlen(w1);
	if (len - i - 1 < n || memcmp(t + i + 1, w1, n)) {
		n = strlen(w2);
		if (len - i - 1 < n || memcmp(t + i + 1, w2, n))
			return 0;
	}
	if (i + 1 + n >= len || t[i + 1 + n] != close)
		return 0;
	return i + 2 + n;
}

/*
 * An "at" at t[i]: "@", "(at)", "[arroba]", or the word "at" or "arroba".
 * Returns its end or 0; *plain says it was "@".
 */
static size_t at_token(const char *t, size_t len, size_t i, bool *plain, bool *word)
{
	size_t e;

	*plain = t[i] == '@';
	*word = false;
	if (*plain)
		return i + 1;
	e = bracketed(t, len, i, "at", "arroba");
	if (e)
		return e;
	*word = true;
	if (word_at(t, len, i, "at"))
		return i + 2;
	if (word_at(t, len, i, "arroba"))
		return i + 6;
	return 0;
}

/*
 * A dot between labels at t[q]: ".", " . ", " dot ", "[dot]", " punto ".
 * Returns where the next label starts, or 0; *plain says it was ".".
 */
static size_t dot_token(const char *t, size_t len, size_t q, bool *plain)
{
	size_t s = q, e;

	*plain = true;
	if (q + 1 < len && t[q] == '.' && is_label_char(t[q + 1]))
		return q + 1;
	if (s < len && t[s] == ' ')
		s++;
	e = bracketed(t, len, s, "dot", "punto");
	if (!e && s < len && t[s] == '.')
		e = s + 1;
	if (!e && s > q && word_at(t, len, s, "dot"))
		e = s + 3;
	if (!e && s > q && word_at(t, len, s, "punto"))
		e = s + 5;
	if (!e)
		return 0;
	if (e < len && t[e] == ' ')
		e++;
	if (e >= len || !is_label_char(t[e]))
		return 0;
	*plain = false;
	return e;
}

/*
 * Whether dot_token() can find a dot at t[q]: after at most one space,
 * each of its dots starts with one of these bytes. Most words after an
 * English "at" are turned away here.
 */
static bool may_be_dot(const char *t, size_t len, size_t q)
{
	if (q < len && t[q] == ' ')
		q++;
	if (q >= len)
		return false;
	switch (t[q]) {
	case '.': case '(': case '[': case '{': case '<': case 'd': case 'p':
		return true;
	default:
		return false;
	}
}

enum tld_rule {
	TLD_ANY,       /* "name@site.tld", "https://site.tld", "www.site.tld" */
	TLD_SPELLED,   /* spelled-out addresses: common and country domains */
	TLD_BARE,      /* bare domains: the common ones only */
};

static int tld_ok(const char *w, size_t len, enum tld_rule rule)
{
	size_t i;

	if (len < 2 || len > 24)
		return 0;
	for (i = 0; i < len; i++)
		if (w[i] < 'a' || w[i] > 'z')
			return 0;
	if (rule == TLD_ANY || in_list(tld_common, ARRAY_SIZE(tld_common), w, len))
		return 1;
	return rule == TLD_SPELLED && in_list(tld_country, ARRAY_SIZE(tld_country), w, len);
}

struct email {
	size_t start, end;           /* normalised */
	char value[VALUE_SIZE];
};

/* Appends len bytes to the value; 0 when it would not fit. */
static int value_add(char *v, size_t *vlen, const char *s, size_t len)
{
	if (*vlen + len >= VALUE_SIZE)
		return 0;
	memcpy(v + *vlen, s, len);
	*vlen += len;
	v[*vlen] = '\0';
	return 1;
}

/* Appends what fits of len bytes, cut on a UTF-8 character boundary. */
static void value_cut(char *v, size_t *vlen, const char *s, size_t len)
{
	size_t room = VALUE_SIZE - 1 - *vlen;

	if (len > room) {
		len = room;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	value_add(v, vlen, s, len);
}

/* An address around the "at" at t[a..b). */
static int email_parse(const char *t, size_t len, size_t a, size_t b, bool plain,
		       bool word, struct email *m)
{
	size_t ls, le = a, p = b, best = 0, vlen = 0, best_vlen = 0, q, lim;
	bool obf = !plain, dot_plain;
	int labels = 0;

	/* Most "at"s are English: a label and a dot must follow, checked first. */
	q = p < len && t[p] == ' ' ? p + 1 : p;
	for (lim = q + LABEL_MAX; q < len && q < lim && is_label_char(t[q]); q++)
		;
	if (!may_be_dot(t, len, q) || !dot_token(t, len, q, &dot_plain))
		return 0;
	if (le > 0 && t[le - 1] == ' ') {
		le--;
		obf = true;
	}
	for (ls = le; ls > 0 && le - ls <= LOCAL_MAX && is_local_char(t[ls - 1]); ls--)
		;
	while (ls < le && t[ls] == '.')
		ls++;
	if (ls == le || le - ls > LOCAL_MAX || t[le - 1] == '.')
		return 0;
	if (word && in_list(not_local, ARRAY_SIZE(not_local), t + ls, le - ls))
		return 0;
	if (!value_add(m->value, &vlen, t + ls, le - ls) || !value_add(m->value, &vlen, "@", 1))
		return 0;
	if (p < len && t[p] == ' ') {
		p++;
		obf = true;
	}
	while (p - b <= DOMAIN_MAX) {
		q = p;
		while (q < len && is_label_char(t[q]) && q - p <= LABEL_MAX)
			q++;
		if (q == p || q - p > LABEL_MAX || t[p] == '-' || t[q - 1] == '-')
			break;
		if (!value_add(m->value, &vlen, t + p, q - p))
			break;
		if (++labels >= 2 && tld_ok(t + p, q - p, obf ? TLD_SPELLED : TLD_ANY)) {
			best = q;
			best_vlen = vlen;
		}
		p = dot_token(t, len, q, &dot_plain);
		if (!p)
			break;
		obf = obf || !dot_plain;
		if (!value_add(m->value, &vlen, ".", 1))
			break;
	}
	/* An address is not followed by a path: "me@site.com/x" is a URL. */
	if (!best || (best < len && t[best] == '/'))
		return 0;
	m->value[best_vlen] = '\0';
	m->start = ls;
	m->end = best;
	return 1;
}

static void add_norm(struct entities *out, const struct norm *n, enum entity_kind kind,
		     const char *value, size_t a, size_t b)
{
	size_t start, end;

	norm_span(n, a, b, &start, &end);
	entities_add(out, kind, value, start, end);
}

size_t contact_email_at(const struct norm *n, size_t i, struct entities *out)
{
	const char *t = n->text;
	size_t p = i, e;
	struct email m;
	bool plain, word;

	/* "(at)" and "[arroba]" start at their bracket. */
	if (t[i] != '@' && i > 0 && is_one_of(t[i - 1], "([{<"))
		p = i - 1;
	e = at_token(t, n->len, p, &plain, &word);
	if (!e || !email_parse(t, n->len, p, e, plain, word, &m))
		return 0;
	add_norm(out, n, ENTITY_EMAIL, m.value, m.start, m.end);
	return m.end;
}

/* The host at t[s..e) ends in an address's domain: "name at site.com". */
static int after_at(const char *t, size_t len, size_t s)
{
	static const char *const forms[] = { "@", "(at)", "[at]", "{at}", "<at>", "at",
					     "(arroba)", "[arroba]", "arroba" };
	struct email m;
	size_t p = s, i;

	if (p > 0 && t[p - 1] == ' ')
		p--;
	for (i = 0; i < ARRAY_SIZE(forms); i++) {
		size_t k = strlen(forms[i]), e;
		bool plain, word;

		if (p < k || memcmp(t + p - k, forms[i], k))
			continue;
		e = at_token(t, len, p - k, &plain, &word);
		if (e == p && email_parse(t, len, p - k, e, plain, word, &m))
			return 1;
	}
	return 0;
}

/* Checks the host t[s..e) label by label; bare says no scheme and no "www.". */
static int host_ok(const char *t, size_t s, size_t e, bool bare)
{
	size_t p = s, labels = 0, last = s;

	if (e - s > DOMAIN_MAX)
		return 0;
	while (p < e) {
		size_t q = p;

		while (q < e && t[q] != '.')
			q++;
		if (q == p || q - p > LABEL_MAX || t[p] == '-' || t[q - 1] == '-')
			return 0;
		labels++;
		last = p;
		p = q + 1;
	}
	return labels >= 2 && tld_ok(t + last, e - last, bare ? TLD_BARE : TLD_ANY);
}

/* The path of a URL from the original text when it is plain ASCII there (case kept). */
static void add_path(const char *text, const struct norm *n, size_t a, size_t b,
		     char *v, size_t *vlen)
{
	size_t start, end, i;

	if (a == b)
		return;
	norm_span(n, a, b, &start, &end);
	if (end - start == b - a) {
		for (i = start; i < end; i++)
			if ((unsigned char)text[i] <= ' ' || (unsigned char)text[i] >= 0x7f)
				break;
		if (i == end) {
			value_cut(v, vlen, text + start, end - start);
			return;
		}
	}
	value_cut(v, vlen, n->text + a, b - a);
}

/*
 * A URL whose host is the token t[hs..he), with "http://" or "https://"
 * before it or none; returns where reading goes on.
 */
static size_t url_at(const char *text, const struct norm *n, size_t hs, size_t he,
		     struct entities *out)
{
	const char *t = n->text, *scheme = "https://";
	size_t len = n->len, s = hs, e = he, pe, vlen = 0;
	char v[VALUE_SIZE];
	bool bare = true;

	if (hs >= 7 && !memcmp(t + hs - 7, "http://", 7)) {
		scheme = "http://";
		s = hs - 7;
		bare = false;
	} else if (hs >= 8 && !memcmp(t + hs - 8, "https://", 8)) {
		s = hs - 8;
		bare = false;
	}
	if (s > 0 && is_alnum(t[s - 1]))
		return e;
	while (he > hs && (t[he - 1] == '.' || t[he - 1] == '-'))
		he--;
	if (he - hs > 4 && !memcmp(t + hs, "www.", 4))
		bare = false;
	if (he == hs || !host_ok(t, hs, he, bare) || (he < len && t[he] == '@') ||
	    (hs > 0 && t[hs - 1] == '@') || (bare && after_at(t, len, hs)))
		return e;
	pe = he;
	if (pe < len && t[pe] == '/') {
		while (pe < len && pe - he < URL_SCAN_MAX && !is_one_of(t[pe], " <>\""))
			pe++;
		while (pe > he + 1 && is_one_of(t[pe - 1], ".,;:!?)]}'\""))
			pe--;
	}
	value_add(v, &vlen, scheme, strlen(scheme));
	if (!value_add(v, &vlen, t + hs, he - hs))
		return pe;
	add_path(text, n, he, pe, v, &vlen);
	add_norm(out, n, ENTITY_URL, v, s, pe);
	return pe > e ? pe : e;
}

static int is_host_char(char c)
{
	return is_label_char(c) || c == '.';
}

size_t contact_url_at_dot(const char *text, const struct norm *n, size_t from, size_t d,
			  struct entities *out)
{
	const char *t = n->text;
	size_t s = d, e = d, next;

	assert(from <= d && d < n->len && t[d] == '.');
	/*
	 * A dot that ends a sentence ("word. ") is the first dot of its
	 * token, so the token has no dot inside and is no host: it is
	 * passed over without reading the word before it.
	 */
	if (e + 1 == n->len || !is_host_char(t[e + 1]))
		return e + 1;
	while (s > from && is_host_char(t[s - 1]))
		s--;
	while (e < n->len && is_host_char(t[e]))
		e++;
	while (s < e && !is_alnum(t[s]))
		s++;
	next = s < e ? url_at(text, n, s, e, out) : e;
	return next > e ? next : e;
}

/* The handle name at t[p]; returns its end (trailing dots left out) or 0. */
static size_t handle_name(const char *t, size_t len, size_t p)
{
	size_t q = p;
	bool alnum = false;

	if (p >= len || t[p] == '.')
		return 0;
	while (q < len && is_handle_char(t[q]) && q - p <= HANDLE_MAX) {
		alnum = alnum || is_alnum(t[q]);
		q++;
	}
	if (q - p > HANDLE_MAX || (q < len && t[q] == '@'))
		return 0;
	while (q > p && t[q - 1] == '.')
		q--;
	return alnum && q > p ? q : 0;
}

/* A platform name and a handle at the word t[i..e); returns the end or 0. */
static size_t platform_handle(const struct norm *n, const struct wordset *ws, size_t i,
			      size_t e, struct entities *out)
{
	const char *t = n->text;
	size_t len = n->len, p = e, q, k, vlen = 0;
	bool marker = false;
	char v[VALUE_SIZE];

	if (!wordset_maybe(ws, t + i, e - i))
		return 0;
	for (k = 0; k < ARRAY_SIZE(platforms); k++)
		if (strlen(platforms[k].word) == e - i && !memcmp(t + i, platforms[k].word, e - i))
			break;
	if (k == ARRAY_SIZE(platforms))
		return 0;
	if (p < len && t[p] == ' ')
		p++;
	if (p < len && is_one_of(t[p], ":-=")) {
		marker = true;
		p++;
		if (p < len && t[p] == ' ')
			p++;
	}
	if (p < len && t[p] == '@') {
		marker = true;
		p++;
	}
	if (p == e || !(q = handle_name(t, len, p)))
		return 0;
	if (!marker && (platforms[k].needs_marker ||
			in_list(not_handle, ARRAY_SIZE(not_handle), t + p, q - p)))
		return 0;
	value_add(v, &vlen, platforms[k].name, strlen(platforms[k].name));
	value_add(v, &vlen, ":", 1);
	value_add(v, &vlen, t + p, q - p);
	add_norm(out, n, ENTITY_HANDLE, v, i, q);
	return q;
}

/* "@name" at t[i], unless it belongs to an address or a platform handle. */
static size_t at_handle(const struct norm *n, size_t i, struct entities *out)
{
	const char *t = n->text;
	size_t q, vlen = 0, p = i, k;
	struct email m;
	char v[VALUE_SIZE];

	if ((i > 0 && is_local_char(t[i - 1])) ||
	    email_parse(t, n->len, i, i + 1, true, false, &m))
		return 0;
	q = handle_name(t, n->len, i + 1);
	if (!q)
		return 0;
	/* "IG: @name" was read with its platform. */
	while (p > 0 && is_one_of(t[p - 1], " :-=") && i - p < 3)
		p--;
	if (p > 0 && is_alnum(t[p - 1])) {
		size_t w = p;

		while (w > 0 && p - w <= PLATFORM_MAX && is_alnum(t[w - 1]))
			w--;
		for (k = 0; k < ARRAY_SIZE(platforms); k++)
			if (strlen(platforms[k].word) == p - w &&
			    !memcmp(t + w, platforms[k].word, p - w))
				return q;
	}
	value_add(v, &vlen, t + i, q - i);
	add_norm(out, n, ENTITY_HANDLE, v, i, q);
	return q;
}

void contact_platforms_init(struct wordset *w)
{
	size_t k;

	wordset_init(w);
	for (k = 0; k < ARRAY_SIZE(platforms); k++)
		wordset_add(w, platforms[k].word);
}

void contact_at_words(struct wordset *w)
{
	wordset_add(w, "at");
	wordset_add(w, "arroba");
}

size_t contact_handle_at(const struct norm *n, const struct wordset *words, size_t i,
			 size_t k, struct entities *out)
{
	if (n->text[i] == '@')
		return at_handle(n, i, out);
	return platform_handle(n, words, i, k, out);
}
