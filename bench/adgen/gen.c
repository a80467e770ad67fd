#include "base/compat.h"
#include "gen.h"

/*
 * The ads are made of sentences from the patterns below, with the word
 * classes filled once per template (so that a template is a fixed text)
 * and the slots filled once per copy. Slots are written as one control
 * byte in the pattern: they are replaced per ad and never edited.
 */
#define SLOT_NAME '\x01'
#define SLOT_CITY '\x02'
#define SLOT_PRICE '\x03'
#define SLOT_PHONE '\x04'
#define SLOT_AGE '\x05'
#define SLOT_EMAIL '\x06'
#define SLOT_PHONE2 '\x07'
#define SLOT_GENERIC '\x08'

#define MAX_WORDS 320
#define MAX_NET_PHONES 4
#define MAX_NET_CITIES 6
#define GENERIC_NUMBERS 4
#define PERIOD_START 1777593600 /* 2026-05-01T00:00:00Z */

static const char *const greet[] = {
	"hi", "hello", "hey", "hola", "welcome", "good evening", "hi there", "hey guys",
	"hello gentlemen", "greetings", "hey handsome", "hi sweetie",
};
static const char *const adj[] = {
	"sweet", "sexy", "classy", "playful", "friendly", "gorgeous", "stunning", "elegant",
	"charming", "bubbly", "sultry", "exotic", "petite", "curvy", "tall", "slim", "busty",
	"fit", "sensual", "naughty", "warm", "soft", "cute", "beautiful", "lovely", "fun",
	"caring", "passionate", "discreet", "young", "fresh", "seductive", "tender", "wild",
	"adorable", "flirty", "sophisticated", "down to earth", "easy going", "open minded",
	"bright", "shy", "sparkling", "luxurious", "radiant", "graceful", "cheerful", "vivid",
};
static const char *const eth[] = {
	"latina", "asian", "ebony", "russian", "thai", "korean", "colombian", "brazilian",
	"european", "italian", "island", "spanish", "blonde", "brunette", "redhead", "mixed",
};
static const char *const girl[] = {
	"girl", "lady", "companion", "babe", "doll", "angel", "princess", "beauty",
	"goddess", "sweetheart", "kitten", "honey", "treat", "muse", "darling",
};
static const char *const avail[] = {
	"available now", "available all night", "available 24/7", "ready for you",
	"open late", "here today only", "available this week", "ready now",
	"available around the clock", "taking calls now", "free tonight",
};
static const char *const when[] = {
	"tonight", "this weekend", "all day", "after work", "late night", "early morning",
	"any time", "this evening", "for lunch", "on weekdays",
};
static const char *const verb[] = {
	"relax", "unwind", "spoil", "pamper", "enjoy", "treat", "escape", "indulge",
	"forget", "melt", "smile", "laugh", "chill", "share", "explore", "discover",
};
static const char *const noun[] = {
	"stress", "worries", "day", "evening", "time", "company", "massage", "session",
	"fantasy", "dream", "moment", "visit", "experience", "date", "getaway", "mood",
	"vibe", "night", "break", "pleasure", "attention", "touch", "conversation", "drink",
};
static const char *const reass[] = {
	"real pics", "100% real", "no police", "no games", "safe and discreet", "no rush",
	"no drama", "private", "clean and safe", "upscale", "satisfaction guaranteed",
	"recent photos", "no fakes", "verified",
};
static const char *const place[] = {
	"incall", "outcall", "incall only", "outcall only", "my place", "your hotel",
	"a private room", "a quiet spot", "downtown", "near the airport", "my apartment",
};
static const char *const adv[] = {
	"really", "truly", "always", "very", "so", "totally", "simply", "just",
	"absolutely", "super", "extremely", "quite",
};
static const char *const feel[] = {
	"happy", "comfortable", "special", "relaxed", "amazing", "satisfied", "wanted",
	"welcome", "at ease", "brand new", "pampered", "refreshed",
};
static const char *const names[] = {
	"amber", "bella", "candy", "daisy", "ella", "fiona", "gina", "holly", "ivy", "jade",
	"kiki", "lola", "mia", "nina", "olivia", "penny", "queenie", "ruby", "sasha", "tina",
	"uma", "vera", "wendy", "xena", "yara", "zoe", "angel", "brandy", "crystal", "destiny",
	"eva", "faith", "grace", "heaven", "isabel", "jasmine", "kara", "luna", "maya", "nova",
	"paris", "roxy", "sky", "star", "tiffany", "valentina", "willow", "alexa", "bianca", "coco",
};
static const char *const cities[][2] = {
	{"Oakland", "CA"}, {"Fresno", "CA"}, {"San Diego", "CA"}, {"Sacramento", "CA"},
	{"Los Angeles", "CA"}, {"San Jose", "CA"}, {"Houston", "TX"}, {"Dallas", "TX"},
	{"Austin", "TX"}, {"El Paso", "TX"}, {"San Antonio", "TX"}, {"Phoenix", "AZ"},
	{"Tucson", "AZ"}, {"Las Vegas", "NV"}, {"Reno", "NV"}, {"Denver", "CO"},
	{"Atlanta", "GA"}, {"Savannah", "GA"}, {"Miami", "FL"}, {"Orlando", "FL"},
	{"Tampa", "FL"}, {"Jacksonville", "FL"}, {"Chicago", "IL"}, {"Springfield", "IL"},
	{"Detroit", "MI"}, {"Seattle", "WA"}, {"Spokane", "WA"}, {"Portland", "OR"},
	{"Boston", "MA"}, {"Newark", "NJ"}, {"New York", "NY"}, {"Buffalo", "NY"},
	{"Philadelphia", "PA"}, {"Pittsburgh", "PA"}, {"Baltimore", "MD"}, {"Richmond", "VA"},
	{"Charlotte", "NC"}, {"Raleigh", "NC"}, {"Nashville", "TN"}, {"Memphis", "TN"},
	{"New Orleans", "LA"}, {"Minneapolis", "MN"}, {"Kansas City", "MO"}, {"St Louis", "MO"},
	{"Columbus", "OH"}, {"Cleveland", "OH"}, {"Indianapolis", "IN"}, {"Omaha", "NE"},
};
static const char *const emoji[] = {
	"\xf0\x9f\x92\x8b", "\xf0\x9f\x8c\xb9", "\xe2\x9d\xa4\xef\xb8\x8f", "\xf0\x9f\x94\xa5",
	"\xe2\x9c\xa8", "\xf0\x9f\x8d\x92", "\xf0\x9f\x92\x96", "\xf0\x9f\x98\x98",
};
static const char *const digit_words[] = {
	"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
};
static const char *const domains[] = {"example.com", "example.net", "example.org"};

/*
 * Sentence patterns. Lower-case letters in braces are word classes filled
 * per template; the slot bytes are filled per copy.
 */
static const char *const patterns[] = {
	"{greet} gentlemen my name is \x01 and i am a {adj} {eth} {girl}",
	"{greet} i am \x01 your {adj} {girl}",
	"call me \x01 and let me {verb} your {noun}",
	"i am {adv} {adj} and {adj} with a {adj} {noun}",
	"let me make you feel {feel} {when}",
	"{avail} for {place} and {place}",
	"{reass} {reass}",
	"{reass} and {adv} {adj}",
	"come {verb} with me {when} at {place}",
	"you will feel {adv} {feel} after our {noun}",
	"i love good {noun} and a {adj} {noun}",
	"{adv} {adj} {eth} {girl} {avail}",
	"new pictures of a {adj} {girl} with a {adj} {noun}",
	"i {adv} enjoy meeting {adj} gentlemen for {noun} and {noun}",
	"treat yourself to a {adj} {noun} {when}",
	"my {noun} is your {noun} so {verb} and {verb}",
	"serious callers only please and {reass}",
	"text first please no blocked numbers {reass}",
	"only respectful men please {adv} {adj} vibes",
	"{place} in \x02 {when}",
	"visiting \x02 {when} do not miss me",
	"located in \x02 near {place}",
	"donations \x03 per hour",
	"\x03 for a {adj} {noun}",
	"specials \x03 {when}",
	"call or text \x04",
	"text \x04 for {noun}",
	"contact me \x04 {avail}",
	"i am \x05 years old",
	"\x05 yo {adj} {girl}",
	"email \x06 for pictures",
	"{adj} {noun} {adj} {noun} {adj} {girl}",
	"you deserve a {adj} {noun} after a long {noun}",
	"i speak {eth} and a little english",
	"my {adj} {girl} friend can join us",
	"two {adj} {girl}s for double the {noun}",
	"ask about my {adj} {noun} {when}",
	"dont wait {avail}",
	"{adv} {feel} to make you {feel}",
	"your {adj} {eth} {girl} is waiting in \x02",
};

#define P_NAME_A 0
#define P_NAME_B 1
#define P_CITY_A 19
#define P_CITY_N 3
#define P_PRICE_A 22
#define P_PRICE_N 3
#define P_PHONE_A 25
#define P_PHONE_N 3
#define P_AGE_A 28
#define P_AGE_N 2
#define P_EMAIL 30

struct net {
	uint32_t phones[MAX_NET_PHONES];
	uint8_t cities[MAX_NET_CITIES];
	unsigned n_phones, n_cities;
	int email;      /* 1 when the network gives an email address */
	int minor;      /* 1 when some copies state an age under 18 */
	uint32_t start; /* seconds after PERIOD_START */
	uint32_t span;  /* seconds */
};

struct tpl {
	uint64_t seed;
	uint32_t net;
	uint32_t made; /* copies made so far */
};

struct adgen {
	struct adgen_options o;
	uint64_t rng;
	struct net *nets;
	struct tpl *tpls;
	uint32_t *plan; /* per ad: template index, or UINT32_MAX for background */
	uint64_t n_nets, n_tpls, next;
	uint32_t phone_counter;
	uint32_t truth_next; /* truth ids for background ads, after the templates' */
};

/* splitmix64: small, fast, and good enough for synthetic data. */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(((rnd(s) >> 32) * (uint64_t)n) >> 32);
}

static int chance(uint64_t *s, unsigned permille)
{
	return below(s, 1000) < permille;
}

#define PICK(s, arr) ((arr)[below((s), (uint32_t)ARRAY_SIZE(arr))])

void adgen_options_default(struct adgen_options *o)
{
	o->seed = 1;
	o->ads = 1000;
	o->background_pct = 30;
	o->max_subs = 5;
	o->generic_permille = 20;
	o->minor_permille = 10;
	o->days = 30;
}

/*
 * Local phone numbers are 7 digits, exchange 200-999: 8 million numbers,
 * visited in a scrambled order so that neighbours in the list do not look
 * alike. 1000003 is prime, so the walk meets every number once.
 */
static uint32_t phone_number(uint32_t counter)
{
	uint64_t v = ((uint64_t)counter * 1000003u + 4242u) % 8000000u;

	return (uint32_t)(2000000u + v);
}

static uint32_t tpl_copies(uint64_t *s)
{
	uint32_t r = below(s, 100);

	if (r < 70)
		return 2 + below(s, 8);
	if (r < 95)
		return 10 + below(s, 40);
	return 50 + below(s, 150);
}

int adgen_new(const struct adgen_options *o, struct adgen **out)
{
	struct adgen *g;
	uint64_t n_bg, n_copies = 0, cap_nets, i, j;

	if (o->ads == 0 || o->ads > UINT32_MAX / 2 || o->background_pct > 100 ||
	    o->max_subs > 20 || o->days == 0 || o->days > 3650)
		return -1;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -1;
	g->o = *o;
	g->rng = o->seed ^ 0x5eed5eed5eed5eedull;
	n_bg = o->ads * o->background_pct / 100;
	/* Networks of at least one template of at least two copies. */
	cap_nets = (o->ads - n_bg) / 2 + 1;
	g->nets = calloc(cap_nets, sizeof(*g->nets));
	g->tpls = calloc(cap_nets * 4, sizeof(*g->tpls));
	g->plan = malloc(o->ads * sizeof(*g->plan));
	if (!g->nets || !g->tpls || !g->plan)
		goto fail;
	g->phone_counter = GENERIC_NUMBERS;
	while (n_copies < o->ads - n_bg) {
		struct net *nt = &g->nets[g->n_nets];
		uint32_t r = below(&g->rng, 100);
		unsigned n_tpl = r < 50 ? 1 : r < 75 ? 2 : r < 90 ? 3 : 4;

		nt->n_phones = 1 + below(&g->rng, MAX_NET_PHONES);
		for (j = 0; j < nt->n_phones; j++)
			nt->phones[j] = phone_number(g->phone_counter++);
		nt->n_cities = 1 + below(&g->rng, MAX_NET_CITIES);
		for (j = 0; j < nt->n_cities; j++)
			nt->cities[j] = (uint8_t)below(&g->rng, (uint32_t)ARRAY_SIZE(cities));
		nt->email = chance(&g->rng, 200);
		nt->minor = chance(&g->rng, o->minor_permille);
		nt->start = below(&g->rng, o->days * 86400u);
		nt->span = 3600 + below(&g->rng, o->days * 86400u - nt->start + 1);
		for (j = 0; j < n_tpl && n_copies < o->ads - n_bg; j++) {
			struct tpl *t = &g->tpls[g->n_tpls];
			uint64_t c = tpl_copies(&g->rng);

			if (c > o->ads - n_bg - n_copies)
				c = o->ads - n_bg - n_copies;
			t->seed = rnd(&g->rng);
			t->net = (uint32_t)g->n_nets;
			for (i = 0; i < c; i++)
				g->plan[n_copies + i] = (uint32_t)g->n_tpls;
			n_copies += c;
			g->n_tpls++;
		}
		g->n_nets++;
	}
	for (i = n_copies; i < o->ads; i++)
		g->plan[i] = UINT32_MAX;
	/* Fisher-Yates: copies and background ads arrive mixed, as on a site. */
	for (i = o->ads - 1; i > 0; i--) {
		uint64_t k = (rnd(&g->rng) >> 11) % (i + 1);
		uint32_t t = g->plan[i];

		g->plan[i] = g->plan[k];
		g->plan[k] = t;
	}
	g->truth_next = (uint32_t)(g->n_tpls > g->n_nets ? g->n_tpls : g->n_nets);
	*out = g;
	return 0;
fail:
	adgen_free(g);
	return -1;
}

void adgen_free(struct adgen *g)
{
	if (!g)
		return;
	free(g->nets);
	free(g->tpls);
	free(g->plan);
	free(g);
}

/* A bounded string under construction. */
struct out {
	char *p;
	size_t len, max;
};

static void put(struct out *o, const char *s)
{
	size_t n = strlen(s);

	if (n > o->max - 1 - o->len)
		n = o->max - 1 - o->len;
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void putc_(struct out *o, char c)
{
	if (o->len + 1 < o->max) {
		o->p[o->len++] = c;
		o->p[o->len] = '\0';
	}
}

/* Expands one pattern's word classes with the template's generator. */
static void expand(uint64_t *s, const char *pat, struct out *o)
{
	while (*pat) {
		const char *end;
		char cls[16];
		size_t n;

		if (*pat != '{') {
			putc_(o, *pat++);
			continue;
		}
		end = strchr(pat, '}');
		n = (size_t)(end - pat - 1);
		if (n >= sizeof(cls))
			n = sizeof(cls) - 1;
		memcpy(cls, pat + 1, n);
		cls[n] = '\0';
		pat = end + 1;
		if (!strcmp(cls, "greet"))
			put(o, PICK(s, greet));
		else if (!strcmp(cls, "adj"))
			put(o, PICK(s, adj));
		else if (!strcmp(cls, "eth"))
			put(o, PICK(s, eth));
		else if (!strcmp(cls, "girl"))
			put(o, PICK(s, girl));
		else if (!strcmp(cls, "avail"))
			put(o, PICK(s, avail));
		else if (!strcmp(cls, "when"))
			put(o, PICK(s, when));
		else if (!strcmp(cls, "verb"))
			put(o, PICK(s, verb));
		else if (!strcmp(cls, "noun"))
			put(o, PICK(s, noun));
		else if (!strcmp(cls, "reass"))
			put(o, PICK(s, reass));
		else if (!strcmp(cls, "place"))
			put(o, PICK(s, place));
		else if (!strcmp(cls, "adv"))
			put(o, PICK(s, adv));
		else
			put(o, PICK(s, feel));
	}
}

/* Whether pattern i is one of the patterns that carry slots. */
static int slot_pattern(size_t i)
{
	return i == P_NAME_A || i == P_NAME_B ||
	       (i >= P_CITY_A && i < P_CITY_A + P_CITY_N) ||
	       (i >= P_PRICE_A && i < P_PRICE_A + P_PRICE_N) ||
	       (i >= P_PHONE_A && i < P_PHONE_A + P_PHONE_N) ||
	       (i >= P_AGE_A && i < P_AGE_A + P_AGE_N) || i == P_EMAIL ||
	       i == ARRAY_SIZE(patterns) - 1;
}

/*
 * Writes a template's text (with slot bytes) and title from its seed: the
 * same seed always writes the same template. A fifth of the templates are
 * short (1 to 3 free sentences), the others have 3 to 10.
 */
static void write_template(uint64_t seed, int email, int age, char *text, size_t max,
			   char *title, size_t tmax)
{
	static const char *const seps[] = {". ", " ", "! ", "\n", ", ", " - "};
	struct out o = {text, 0, max}, t = {title, 0, tmax};
	uint64_t s = seed;
	size_t order[24], k = 0, i, n;

	text[0] = title[0] = '\0';
	order[k++] = below(&s, 2) ? P_NAME_A : P_NAME_B;
	order[k++] = P_PHONE_A + below(&s, P_PHONE_N);
	if (below(&s, 10) < 7)
		order[k++] = P_CITY_A + below(&s, P_CITY_N);
	if (below(&s, 10) < 7)
		order[k++] = P_PRICE_A + below(&s, P_PRICE_N);
	if (age)
		order[k++] = P_AGE_A + below(&s, P_AGE_N);
	if (email)
		order[k++] = P_EMAIL;
	n = below(&s, 5) == 0 ? 1 + below(&s, 3) : 3 + below(&s, 8);
	for (i = 0; i < n; i++) {
		size_t pat;

		do
			pat = below(&s, (uint32_t)ARRAY_SIZE(patterns));
		while (slot_pattern(pat));
		order[k++] = pat;
	}
	for (i = k - 1; i > 0; i--) {
		size_t j = below(&s, (uint32_t)i + 1), tmp = order[i];

		order[i] = order[j];
		order[j] = tmp;
	}
	for (i = 0; i < k; i++) {
		if (i)
			put(&o, PICK(&s, seps));
		expand(&s, patterns[order[i]], &o);
	}
	expand(&s, "{adj} {eth} {girl} in ", &t);
	putc_(&t, SLOT_CITY);
	if (below(&s, 2)) {
		putc_(&t, ' ');
		expand(&s, "{avail}", &t);
	}
}

/* A phone number written one of the ways ads write them. */
static void write_phone(uint64_t *s, uint32_t local, struct out *o)
{
	char d[11], buf[160];
	struct out b = {buf, 0, sizeof(buf)};
	unsigned i, style = below(s, 10);

	snprintf(d, sizeof(d), "555%07" PRIu32, local);
	switch (style) {
	case 0:
		snprintf(buf, sizeof(buf), "(%.3s) %.3s-%.4s", d, d + 3, d + 6);
		break;
	case 1:
		snprintf(buf, sizeof(buf), "%.3s.%.3s.%.4s", d, d + 3, d + 6);
		break;
	case 2:
		snprintf(buf, sizeof(buf), "%.3s-%.3s-%.4s", d, d + 3, d + 6);
		break;
	case 3:
		snprintf(buf, sizeof(buf), "+1 %.3s %.3s %.4s", d, d + 3, d + 6);
		break;
	case 4:
		for (i = 0; i < 10; i++) {
			if (i)
				putc_(&b, ' ');
			putc_(&b, d[i]);
		}
		break;
	case 5: /* some digits spelled out, each its own word */
		for (i = 0; i < 10; i++) {
			if (i)
				putc_(&b, ' ');
			if (below(s, 3) == 0)
				put(&b, digit_words[d[i] - '0']);
			else
				putc_(&b, d[i]);
		}
		break;
	case 6: /* emoji between the groups */
		snprintf(buf, sizeof(buf), "%.3s%s%.3s%s%.4s", d, emoji[3], d + 3, emoji[0], d + 6);
		break;
	case 7: /* o for 0 and l for 1 */
		for (i = 0; i < 10; i++) {
			if (i == 3 || i == 6)
				putc_(&b, '-');
			putc_(&b, d[i] == '0' ? 'O' : d[i] == '1' ? 'l' : d[i]);
		}
		break;
	case 8: /* digits and spelled digits glued together */
		for (i = 0; i < 10; i++) {
			if (i == 3 || i == 6)
				putc_(&b, ' ');
			if (i % 3 == 1)
				put(&b, digit_words[d[i] - '0']);
			else
				putc_(&b, d[i]);
		}
		break;
	default:
		snprintf(buf, sizeof(buf), "%.10s", d);
		break;
	}
	put(o, buf);
}

/* Cyrillic letters that read as Latin ones, as UTF-8. */
static const char *lookalike(char c)
{
	switch (c) {
	case 'a': return "\xd0\xb0";
	case 'e': return "\xd0\xb5";
	case 'o': return "\xd0\xbe";
	case 'p': return "\xd1\x80";
	case 'c': return "\xd1\x81";
	case 'x': return "\xd1\x85";
	case 'y': return "\xd1\x83";
	case 'i': return "\xd1\x96";
	default: return NULL;
	}
}

struct words {
	char buf[ADGEN_TEXT_MAX];
	const char *w[MAX_WORDS];
	size_t n;
};

/* Splits text at spaces into words that point into a private copy. */
static void split(struct words *ws, const char *text)
{
	size_t len = strlen(text), i;
	char *p = ws->buf;

	if (len >= sizeof(ws->buf))
		len = sizeof(ws->buf) - 1;
	memcpy(p, text, len);
	p[len] = '\0';
	ws->n = 0;
	for (i = 0; i < len && ws->n < MAX_WORDS; ) {
		while (i < len && p[i] == ' ')
			p[i++] = '\0';
		if (i >= len)
			break;
		ws->w[ws->n++] = p + i;
		while (i < len && p[i] != ' ')
			i++;
	}
}

static int is_slot_word(const char *w)
{
	return w[0] >= SLOT_NAME && w[0] <= SLOT_GENERIC;
}

/* Any word of the pools, for substitutions and insertions. */
static const char *any_word(uint64_t *s)
{
	switch (below(s, 6)) {
	case 0: return PICK(s, adj);
	case 1: return PICK(s, noun);
	case 2: return PICK(s, verb);
	case 3: return PICK(s, feel);
	case 4: return PICK(s, adv);
	default: return PICK(s, girl);
	}
}

struct copy {
	const struct net *nt;
	uint32_t phone, phone2, generic;
	const char *name;
	uint8_t city;
	unsigned price, age;
	uint32_t email_id;
	int upper;     /* 1: the whole ad in capitals */
	int look;      /* per-mille of letters swapped for look-alikes */
	int emoji;     /* per-mille of words followed by an emoji */
	int caps;      /* per-mille of words in capitals */
};

/* Writes one word of a copy, with its disguises. */
static void put_word(uint64_t *s, const struct copy *c, const char *w, struct out *o)
{
	int caps = c->upper || chance(s, (unsigned)c->caps);

	for (; *w; w++) {
		const char *l = c->look ? lookalike(*w) : NULL;

		if (l && chance(s, (unsigned)c->look))
			put(o, l);
		else
			putc_(o, caps && *w >= 'a' && *w <= 'z' ? (char)(*w - 'a' + 'A') : *w);
	}
}

static void put_slot(uint64_t *s, const struct copy *c, char slot, struct out *o)
{
	char buf[96];

	switch (slot) {
	case SLOT_NAME:
		put_word(s, c, c->name, o);
		return;
	case SLOT_CITY:
		put_word(s, c, cities[c->city][0], o);
		return;
	case SLOT_PRICE:
		snprintf(buf, sizeof(buf), below(s, 2) ? "$%u" : "%u roses", c->price);
		put(o, buf);
		return;
	case SLOT_PHONE:
		write_phone(s, c->phone, o);
		if (c->phone2 != c->phone) {
			put(o, " or ");
			write_phone(s, c->phone2, o);
		}
		if (c->generic) {
			put(o, below(s, 2) ? " verification line " : " booking agency ");
			write_phone(s, c->generic, o);
		}
		return;
	case SLOT_AGE:
		snprintf(buf, sizeof(buf), "%u", c->age);
		put(o, buf);
		return;
	case SLOT_EMAIL:
		/* One address per network, written plainly or spelled out. */
		if (below(s, 2))
			snprintf(buf, sizeof(buf), "%s%" PRIu32 "@%s",
				 names[c->email_id % ARRAY_SIZE(names)], c->email_id,
				 domains[c->email_id % 3]);
		else
			snprintf(buf, sizeof(buf), "%s%" PRIu32 " at example dot %s",
				 names[c->email_id % ARRAY_SIZE(names)], c->email_id,
				 domains[c->email_id % 3] + 8);
		put(o, buf);
		return;
	default:
		return;
	}
}

/* Renders text (with slot bytes) for one copy into o, with its edits. */
static unsigned render(uint64_t *s, const struct copy *c, const char *text, unsigned subs,
		       int edits, struct out *o)
{
	struct words ws;
	const char *w[MAX_WORDS + 8];
	size_t n, i, free_words = 0;
	unsigned made = 0, ins, del;

	split(&ws, text);
	n = ws.n;
	memcpy(w, ws.w, n * sizeof(*w));
	for (i = 0; i < n; i++)
		free_words += !is_slot_word(w[i]);
	if (edits) {
		/* Scattered substitutions: distinct places spread over the ad. */
		if (subs > free_words / 4)
			subs = (unsigned)(free_words / 4);
		while (made < subs) {
			size_t k = below(s, (uint32_t)n);

			if (is_slot_word(w[k]) || w[k][0] == '\0' || strchr(w[k], '\n'))
				continue;
			w[k] = any_word(s);
			made++;
		}
		ins = chance(s, 300) + chance(s, 150);
		del = chance(s, 300) + chance(s, 150);
		while (ins-- && n < MAX_WORDS) {
			size_t k = below(s, (uint32_t)n + 1);

			memmove(w + k + 1, w + k, (n - k) * sizeof(*w));
			w[k] = any_word(s);
			n++;
		}
		while (del-- && n > 8) {
			size_t k = below(s, (uint32_t)n);

			if (is_slot_word(w[k]))
				continue;
			memmove(w + k, w + k + 1, (n - k - 1) * sizeof(*w));
			n--;
		}
	}
	for (i = 0; i < n; i++) {
		const char *p;

		if (i)
			putc_(o, ' ');
		for (p = w[i]; *p; p++) {
			if (is_slot_word(p)) {
				put_slot(s, c, *p, o);
				continue;
			}
			/* Words are written one at a time so each gets its disguise. */
			{
				char one[64];
				size_t k = 0;

				while (p[k] && !is_slot_word(p + k) && k < sizeof(one) - 1) {
					one[k] = p[k];
					k++;
				}
				one[k] = '\0';
				put_word(s, c, one, o);
				p += k - 1;
			}
		}
		/* An emoji after the word, glued to it or not. */
		if (c->emoji && chance(s, (unsigned)c->emoji)) {
			if (below(s, 2))
				putc_(o, ' ');
			put(o, PICK(s, emoji));
		}
	}
	return made;
}

static void write_time(uint32_t offset, char *out, size_t max)
{
	time_t t = (time_t)PERIOD_START + (time_t)offset;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, max, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int adgen_next(struct adgen *g, struct adgen_ad *ad)
{
	char tpl_text[ADGEN_TEXT_MAX], tpl_title[160];
	struct out o = {ad->text, 0, sizeof(ad->text)}, t = {ad->title, 0, sizeof(ad->title)};
	struct copy c = {0};
	struct net bg = {0};
	uint64_t s;
	uint32_t slot, offset;
	const struct tpl *tp = NULL;

	if (g->next >= g->o.ads)
		return 0;
	memset(ad, 0, sizeof(*ad));
	ad->seq = g->next;
	s = g->o.seed * 0x2545f4914f6cdd1dull + g->next * 0x9e3779b97f4a7c15ull + 7;
	rnd(&s);
	slot = g->plan[g->next++];
	snprintf(ad->id, sizeof(ad->id), "ad%07" PRIu64, ad->seq);
	snprintf(ad->site, sizeof(ad->site), "site-%c", (char)('a' + below(&s, 4)));
	if (slot == UINT32_MAX) {
		/* A background ad: a template of its own, copied once, unedited. */
		bg.n_phones = 1;
		bg.phones[0] = phone_number(g->phone_counter++);
		bg.n_cities = 1;
		bg.cities[0] = (uint8_t)below(&s, (uint32_t)ARRAY_SIZE(cities));
		bg.email = chance(&s, 50);
		bg.span = g->o.days * 86400u;
		c.nt = &bg;
		ad->background = 1;
		ad->truth_template = ad->truth_network = g->truth_next++;
		write_template(rnd(&s), bg.email, chance(&s, 500), tpl_text, sizeof(tpl_text),
			       tpl_title, sizeof(tpl_title));
		c.email_id = (uint32_t)(1000000u + ad->seq);
	} else {
		tp = &g->tpls[slot];
		c.nt = &g->nets[tp->net];
		ad->truth_template = slot;
		ad->truth_network = tp->net;
		/* Whether a template states an age and gives the email is the network's. */
		write_template(tp->seed, c.nt->email, c.nt->minor || (tp->seed & 3) != 0,
			       tpl_text, sizeof(tpl_text), tpl_title, sizeof(tpl_title));
		c.email_id = tp->net;
	}
	c.name = PICK(&s, names);
	c.city = c.nt->cities[below(&s, c.nt->n_cities)];
	c.price = 80 + 10 * below(&s, 30);
	c.age = c.nt->minor && below(&s, 2) ? 15 + below(&s, 3) : 19 + below(&s, 17);
	/* The first copy of each template gives the network's main number. */
	c.phone = c.nt->phones[tp && tp->made == 0 ? 0 :
			       below(&s, 2) ? 0 : below(&s, c.nt->n_phones)];
	c.phone2 = chance(&s, 150) ? c.nt->phones[below(&s, c.nt->n_phones)] : c.phone;
	if (chance(&s, g->o.generic_permille)) {
		c.generic = phone_number(below(&s, GENERIC_NUMBERS));
		ad->generic = 1;
	}
	c.upper = chance(&s, 50);
	c.look = chance(&s, 250) ? 60 : 0;
	c.emoji = chance(&s, 500) ? 80 : 0;
	c.caps = chance(&s, 300) ? 100 : 0;
	ad->subs = render(&s, &c, tpl_text, tp ? below(&s, g->o.max_subs + 1) : 0, tp != NULL, &o);
	render(&s, &c, tpl_title, 0, 0, &t);
	if (tp)
		g->tpls[slot].made++;
	if (chance(&s, 200))
		snprintf(ad->phone_field, sizeof(ad->phone_field), "555-%03" PRIu32 "-%04" PRIu32,
			 c.phone / 10000, c.phone % 10000);
	snprintf(ad->city, sizeof(ad->city), "%s", cities[c.city][0]);
	snprintf(ad->region, sizeof(ad->region), "%s", cities[c.city][1]);
	offset = c.nt->start + below(&s, c.nt->span);
	write_time(offset, ad->posted_at, sizeof(ad->posted_at));
	return 1;
}
