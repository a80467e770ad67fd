#include "base/compat.h"
#include "screen/rules_impl.h"

#include <math.h>

/*
 * The factor chooser (rules_impl.h, "Choosing the factors"): the strings
 * each item and seq can match, what a set of them costs as a factor, and
 * the cheapest factor of each branch.
 */

/*
 * How deep groups are distributed to find a rarer factor (deeper only when
 * a branch has none yet), and into how many branches at most.
 */
#define EXPAND_DEPTH_MAX 2
#define EXPAND_DEPTH_NEEDED 8
#define EXPAND_PARTS_MAX 32

/*
 * Choosing a factor. Its cost is the number of places per byte of text
 * where it is expected to be found, plus a little per string for being in
 * the phase-one database (the literal matcher slows as strings are added).
 * Text is not random: spaces and short words are everywhere, so a string
 * is taken to be LETTER_ODDS times rarer for each letter or digit in it,
 * OTHER_ODDS for each other byte, and no rarer for a space. Thus "keeps the
 * card" is preferred to " the ", which a model of random letters would
 * rate as rare. The constants were set by measuring rules_match() on the
 * benchmark corpus (bench/screen): both sides of them are within a few
 * per cent. A group is distributed ("\b(prostitut\w*|sex work)" read as
 * two branches) only when no run of plain text is rarer than a word of
 * five or six letters.
 */
#define LETTER_ODDS 6.0
#define OTHER_ODDS 2.45
#define COST_PER_STRING 1e-5
#define EXPAND_ABOVE 5e-5
/*
 * A string made only of common words (struct rules.words: "has", "call
 * her", "tiene") is taken to be this many times commoner than its letters
 * say, so that the chooser prefers a rarer run where a branch has one.
 * Counted over the benchmark corpus (BENCHMARKS.md, "Screen", sixth run),
 * the branches checked a text: 109 with no common words, 104 with 2, 95
 * with 3, 94 with 5, 110 with 10 (groups distributed into many branches
 * that each find a word). Once phase two was made cheaper per branch,
 * rules_match() took the fewest instructions over the first 5 MB of that
 * corpus with 5 (262 million, against 272 with 3 or 4 and 272 with 6,
 * 307 with 8): phase one then holds 1,902 strings rather than 1,947.
 */
#define COMMON_ODDS 5.0

static unsigned words_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h & (WORDS_SLOTS - 1);
}

void words_build(struct words *t, const struct rules *r)
{
	_Static_assert(RULES_WORDS_MAX < UINT16_MAX, "a slot holds a word's index");
	memset(t->slot, 0, sizeof(t->slot));
	t->w = (const char (*)[RULES_WORD_MAX])r->words;
	for (size_t i = 0; i < r->nwords; i++) {
		unsigned h = words_hash(r->words[i], strlen(r->words[i]));

		while (t->slot[h])
			h = (h + 1) & (WORDS_SLOTS - 1);
		t->slot[h] = (uint16_t)(i + 1);
	}
}

/* True when s[0..n) is one of the words. */
static bool words_has(const struct words *t, const char *s, size_t n)
{
	if (n >= RULES_WORD_MAX)
		return false;
	for (unsigned h = words_hash(s, n); t->slot[h]; h = (h + 1) & (WORDS_SLOTS - 1)) {
		const char *w = t->w[t->slot[h] - 1];

		if (!memcmp(w, s, n) && w[n] == '\0')
			return true;
	}
	return false;
}

/* ---------------------------------------------------------------------
 * Sets of strings.
 */

static struct litset *litset_new(struct pattern *pt)
{
	struct litset *s;

	if (array_grow(&pt->sets, &pt->capsets, pt->nsets + 1, sizeof(*pt->sets)))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s)
		pt->sets[pt->nsets++] = s;
	return s;
}

/* How often s[0..n) is expected per byte of text, from its bytes alone (see LETTER_ODDS). */
static double string_odds(const char *s, size_t n)
{
	double p = 1;

	for (size_t k = 0; k < n; k++) {
		unsigned char ch = (unsigned char)s[k];

		if (is_word(ch) && ch != '_')
			p *= 1 / LETTER_ODDS;
		else if (ch != ' ')
			p *= 1 / OTHER_ODDS;
	}
	return p;
}

/*
 * Adds s[0..n), whose odds are given, to set unless it is there; false
 * when the set is full or s too long.
 */
static bool litset_put(struct litset *set, const char *s, size_t n, double odds)
{
	if (n >= LIT_LEN)
		return false;
	for (uint32_t i = 0; i < set->n; i++) {
		if (set->len[i] != n)
			continue;
		if (!n || (set->s[i][0] == s[0] && set->s[i][n - 1] == s[n - 1] &&
			   !memcmp(set->s[i], s, n)))
			return true;
	}
	if (set->n == LITS_MAX)
		return false;
	memcpy(set->s[set->n], s, n);
	set->len[set->n] = (uint8_t)n;
	set->odds[set->n] = odds;
	set->n++;
	return true;
}

static bool litset_add(struct litset *set, const char *s, size_t n)
{
	return litset_put(set, s, n, string_odds(s, n));
}

bool litset_product(const struct litset *a, const struct litset *b, struct litset *out)
{
	out->n = 0;
	for (uint32_t i = 0; i < a->n; i++) {
		for (uint32_t j = 0; j < b->n; j++) {
			char s[2 * LIT_LEN];

			if (a->len[i] + b->len[j] >= LIT_LEN)
				return false;
			memcpy(s, a->s[i], a->len[i]);
			memcpy(s + a->len[i], b->s[j], b->len[j]);
			if (!litset_put(out, s, (size_t)a->len[i] + b->len[j],
					a->odds[i] * b->odds[j]))
				return false;
		}
	}
	return true;
}

/*
 * *acc = every *acc followed by every l, made in *tmp and swapped with
 * *acc, so that products chain without copying; false when it does not
 * fit (then *acc is not to be used).
 */
static bool litset_extend(struct litset **acc, struct litset **tmp, const struct litset *l)
{
	struct litset *swap;

	if (!litset_product(*acc, l, *tmp))
		return false;
	swap = *acc;
	*acc = *tmp;
	*tmp = swap;
	return true;
}

static bool litset_has_empty(const struct litset *set)
{
	for (uint32_t i = 0; i < set->n; i++) {
		if (!set->len[i])
			return true;
	}
	return false;
}

/*
 * True when s[0..n) is made of common words and spaces only, with at least
 * one word. A word at either end may be the end of a longer word of the
 * text ("one" of "phone"): it is found at least as often as the word.
 */
static bool common_only(const struct pattern *pt, const char *s, size_t n)
{
	bool any = false;

	for (size_t a = 0; a < n;) {
		size_t b = a;

		if (s[a] == ' ') {
			a++;
			continue;
		}
		while (b < n && s[b] >= 'a' && s[b] <= 'z')
			b++;
		if (b == a || !words_has(pt->common, s + a, b - a))
			return false;
		any = true;
		a = b;
	}
	return any;
}

/* The cost of a set of strings as a factor (see LETTER_ODDS and COMMON_ODDS). */
static double litset_cost(const struct pattern *pt, const struct litset *set)
{
	double c = 0;

	for (uint32_t i = 0; i < set->n; i++) {
		double odds = set->odds[i];

		if (common_only(pt, set->s[i], set->len[i]))
			odds *= COMMON_ODDS;
		c += odds + COST_PER_STRING;
	}
	return c;
}

/*
 * The strings of a branch of a group, or NULL (running out of memory
 * gives NULL too: the caller's next allocation fails as well).
 */
static const struct litset *seq_lang(struct pattern *pt, struct seq *seq)
{
	struct litset *acc, *tmp;

	if (seq->lang_done)
		return seq->lang;
	seq->lang_done = true;
	acc = litset_new(pt);
	tmp = litset_new(pt);
	if (!acc || !tmp)
		return NULL;
	litset_add(acc, "", 0);
	for (uint32_t k = 0; k < seq->n; k++) {
		const struct litset *l = item_lang(pt, seq->items[k]);

		if (!l || !litset_extend(&acc, &tmp, l))
			return NULL;
	}
	seq->lang = acc;
	return acc;
}

const struct litset *item_lang(struct pattern *pt, struct item *it)
{
	struct litset *base, *acc, *out, *tmp;

	if (it->lang_done)
		return it->lang;
	it->lang_done = true;
	if (it->kind == ITEM_ASSERT || it->max == REPEAT_INF || it->max > 3)
		return NULL;
	base = litset_new(pt);
	if (!base)
		return NULL;
	if (it->kind == ITEM_GROUP) {
		for (uint32_t a = 0; a < it->nalts; a++) {
			const struct litset *l = seq_lang(pt, &it->alts[a]);

			if (!l)
				return NULL;
			for (uint32_t i = 0; i < l->n; i++) {
				if (!litset_put(base, l->s[i], l->len[i], l->odds[i]))
					return NULL;
			}
		}
	} else {
		if (!it->nchars)
			return NULL;
		for (uint8_t i = 0; i < it->nchars; i++)
			litset_add(base, it->chars[i], strlen(it->chars[i]));
	}
	out = litset_new(pt);
	acc = litset_new(pt);
	tmp = litset_new(pt);
	if (!out || !acc || !tmp)
		return NULL;
	litset_add(acc, "", 0);
	for (uint32_t r = 0; r <= it->max; r++) {
		if (r >= it->min) {
			for (uint32_t i = 0; i < acc->n; i++) {
				if (!litset_put(out, acc->s[i], acc->len[i], acc->odds[i]))
					return NULL;
			}
		}
		if (r == it->max)
			break;
		if (!litset_extend(&acc, &tmp, base))
			return NULL;
	}
	it->lang = out;
	return out;
}

/* ---------------------------------------------------------------------
 * Choosing the factors.
 */

void plan_release(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->parts[i].seq);
	free(p->parts);
	p->parts = NULL;
	p->n = 0;
}

int items_flatten(struct item *const *items, uint32_t n, struct item ***v, uint32_t *len,
		  size_t *cap)
{
	for (uint32_t k = 0; k < n; k++) {
		struct item *it = items[k];
		int rc;

		if (it->kind == ITEM_GROUP && it->min == 1 && it->max == 1 && it->nalts == 1) {
			rc = items_flatten(it->alts[0].items, it->alts[0].n, v, len, cap);
		} else {
			rc = array_grow(v, cap, *len + 1, sizeof(**v));
			if (!rc)
				(*v)[(*len)++] = it;
		}
		if (rc)
			return rc;
	}
	return VG_OK;
}

/* True when items[0..n) hold an item that only an anchored database can check. */
static bool needs_db(struct pattern *pt, struct item *const *items, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		struct item *it = items[k];

		if (it->kind == ITEM_ASSERT || item_lang(pt, it))
			continue;
		if (it->kind != ITEM_GROUP && it->ascii)
			continue;
		return true;
	}
	return false;
}

/*
 * A group of the branches of g that are plain text, when some are and
 * some are not (so that distributing g makes one branch of the plain ones
 * and one of each other); *out is NULL otherwise.
 */
static int group_plain(struct pattern *pt, const struct item *g, struct item **out)
{
	struct item *it;
	uint32_t n = 0;

	*out = NULL;
	for (uint32_t a = 0; a < g->nalts; a++)
		n += seq_lang(pt, &g->alts[a]) != NULL;
	if (!n || n == g->nalts)
		return VG_OK;
	if (array_grow(&pt->made, &pt->capmade, pt->nmade + 1, sizeof(*pt->made)))
		return VG_NOMEM;
	it = calloc(1, sizeof(*it));
	if (!it)
		return VG_NOMEM;
	it->alts = calloc(n, sizeof(*it->alts));
	if (!it->alts) {
		free(it);
		return VG_NOMEM;
	}
	pt->made[pt->nmade++] = it;
	it->kind = ITEM_GROUP;
	it->q = "";
	it->min = it->max = 1;
	for (uint32_t a = 0; a < g->nalts; a++) {
		if (seq_lang(pt, &g->alts[a]))
			it->alts[it->nalts++] = g->alts[a];
	}
	*out = it;
	return VG_OK;
}

int plan_branch(struct pattern *pt, struct item **seq, uint32_t n, unsigned depth,
		struct plan *best)
{
	struct plan run = { NULL, 0, HUGE_VAL }, exp = { NULL, 0, HUGE_VAL };
	struct litset sets[2];
	bool *db_before = NULL, *db_after = NULL;
	struct part one;
	int rc = VG_OK;

	memset(&one, 0, sizeof(one));
	/* Whether the items before i, and after j, need an anchored database. */
	db_before = malloc((n + 1) * sizeof(*db_before));
	db_after = malloc((n + 1) * sizeof(*db_after));
	if (!db_before || !db_after) {
		free(db_before);
		free(db_after);
		free(seq);
		return VG_NOMEM;
	}
	db_before[0] = false;
	for (uint32_t i = 0; i < n; i++)
		db_before[i + 1] = db_before[i] || needs_db(pt, seq + i, 1);
	db_after[n] = false;
	for (uint32_t i = n; i > 0; i--)
		db_after[i - 1] = db_after[i] || needs_db(pt, seq + i - 1, 1);
	for (uint32_t i = 0; i < n; i++) {
		struct litset *acc = &sets[0], *tmp = &sets[1];

		acc->n = 0;
		litset_add(acc, "", 0);
		for (uint32_t j = i; j < n; j++) {
			const struct litset *l = item_lang(pt, seq[j]);
			double cost;

			if (!l || !litset_extend(&acc, &tmp, l))
				break;
			if (litset_has_empty(acc))
				continue;
			cost = litset_cost(pt, acc) * (1.0 + db_before[i] + db_after[j + 1]);
			if (cost < run.cost) {
				run.cost = cost;
				run.n = 1;
				one.i = i;
				one.j = j + 1;
				one.lits = *acc;
			}
		}
	}
	free(db_before);
	free(db_after);
	for (uint32_t k = 0; k < n && run.cost > EXPAND_ABOVE &&
	     depth < (run.n ? EXPAND_DEPTH_MAX : EXPAND_DEPTH_NEEDED); k++) {
		struct item *g = seq[k], *plain = NULL;
		struct plan sum = { NULL, 0, 0 };
		size_t capparts = 0;
		bool ok = true;

		if (g->kind != ITEM_GROUP || g->min != 1 || g->max != 1 || g->nalts < 2)
			continue;
		rc = group_plain(pt, g, &plain);
		for (uint32_t a = 0; a <= g->nalts && ok && !rc; a++) {
			struct item **v = NULL;
			uint32_t len = 0;
			size_t cap = 0;
			struct plan sub = { NULL, 0, 0 };

			/* Branch a of g, or (a == nalts) its plain branches as one group. */
			if (a == g->nalts ? !plain :
			    plain && seq_lang(pt, &g->alts[a]))
				continue;
			rc = items_flatten(seq, k, &v, &len, &cap);
			if (!rc && a < g->nalts)
				rc = items_flatten(g->alts[a].items, g->alts[a].n, &v, &len, &cap);
			if (!rc && a == g->nalts)
				rc = items_flatten(&plain, 1, &v, &len, &cap);
			if (!rc)
				rc = items_flatten(seq + k + 1, n - k - 1, &v, &len, &cap);
			if (rc) {
				free(v);
				break;
			}
			rc = plan_branch(pt, v, len, depth + 1, &sub);
			if (!rc && (!sub.n || sum.n + sub.n > EXPAND_PARTS_MAX))
				ok = false;
			if (!rc && ok)
				rc = array_grow(&sum.parts, &capparts, sum.n + sub.n,
						sizeof(*sum.parts));
			if (!rc && ok) {
				memcpy(sum.parts + sum.n, sub.parts, sub.n * sizeof(*sub.parts));
				sum.n += sub.n;
				sum.cost += sub.cost;
				sub.n = 0;
			}
			plan_release(&sub);
		}
		if (!rc && ok && sum.cost < exp.cost) {
			plan_release(&exp);
			exp = sum;
		} else {
			plan_release(&sum);
		}
		if (rc)
			break;
	}
	memset(best, 0, sizeof(*best));
	if (rc) {
		plan_release(&exp);
		free(seq);
		return rc;
	}
	if (exp.n && exp.cost < 0.9 * run.cost) {
		*best = exp;
		free(seq);
		return VG_OK;
	}
	plan_release(&exp);
	if (!run.n) {
		free(seq);
		return VG_OK;
	}
	run.parts = malloc(sizeof(*run.parts));
	if (!run.parts) {
		free(seq);
		return VG_NOMEM;
	}
	one.seq = seq;
	one.n = n;
	run.parts[0] = one;
	*best = run;
	return VG_OK;
}

