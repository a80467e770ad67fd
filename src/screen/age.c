#include "base/compat.h"
#include "screen/age.h"

#include "screen/numword.h"
#include "screen/phrase.h"

#define VALUE_SIZE sizeof(((struct entity *)0)->value)

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
	return c >= 'a' && c <= 'z';
}

/*
 * An age at t[i]: one or two digits, or a number from 1 to 99 in words,
 * standing alone. Returns it and sets *end, or returns -1.
 */
static int age_number(const char *t, size_t len, size_t i, size_t *end)
{
	size_t e = i;
	int v = 0;

	if (i > 0 && (phrase_is_alnum(t[i - 1]) || ((t[i - 1] == '.' || t[i - 1] == ',') &&
					      i > 1 && is_digit(t[i - 2]))))
		return -1;
	if (!is_digit(t[i]))
		return numword_parse(t, len, i, end);
	while (e < len && is_digit(t[e]) && e - i < 3)
		v = v * 10 + (t[e++] - '0');
	if (e - i > 2 || v < 1 || (e < len && (is_digit(t[e]) ||
	    ((t[e] == '.' || t[e] == ',') && e + 1 < len && is_digit(t[e + 1])))))
		return -1;
	*end = e;
	return v;
}

static const char *const age_after[] = {
	"years old", "year old", "yrs old", "yr old", "years-old", "year-old",
	"yrs-old", "yr-old", "year olds", "year-olds", "yr olds", "yr-olds",
	"yr. old", "yrs. old", "years of age", "y/o", "y.o", "yo", "anos de edad",
	"anitos", "anito",
};

/* "años" alone, a unit too (a list of one, for first_bytes()). */
static const char *const anos_unit[] = { "anos" };

/* "años" alone is a stated age only after these ("hace 15 años" is not). */
static const char *const anos_before[] = {
	"a los ", "tiene ", "tengo ", "tienes ", "tenia ", "cumple ", "cumplio ",
	"con ", "de ",
};

static const char *const age_before[] = { "age: ", "age ", "aged ", "edad: ", "edad de ", "edad " };

static const char *const cue_before[] = {
	"looks about ", "looks like ", "looks to be ", "looks ", "look about ",
	"looked about ", "looked like ", "looked to be ", "seemed about ",
	"appears to be ", "seems about ", "parece de unos ", "parece de ",
	"parece tener ", "aparenta tener ", "aparenta unos ", "aparenta ",
};

/*
 * A number with no unit is an age only after the words below (and only
 * when age_follows() agrees). After a verb of being, the subject must be
 * one of these words, so that "the rent is 15." and "her quota is 15,"
 * are not ages; a name is not recognised ("Maria is 15" is missed).
 */
static const char *const subjects[] = {
	"she", "he", "i", "who", "they", "girl", "girls", "boy", "boys", "kid", "kids",
	"child", "daughter", "daughters", "son", "sons", "sister", "sisters", "brother",
	"brothers", "niece", "nephew", "cousin", "granddaughter", "grandson",
	"stepdaughter", "stepson", "victim", "youngest", "oldest", "teen", "teenager",
};

/* The verbs after a subject; "'s" and "'m" are written on to it ("he's"). */
static const char *const subject_verbs[] = {
	" is ", " was ", " am ", " are ", " were ", "'s ", "'m ", "'re ",
};

/* A birthday: a time may follow ("turned 16 last month", "cumplió 16 en marzo"). */
static const char *const turned_before[] = { "turned ", "cumplio ", "acaba de cumplir " };

/* A person "of" an age: "a girl of 15", "una niña de 15", "a los 15" (at 15). */
static const char *const person_of[] = {
	"girl of ", "boy of ", "child of ", "nina de ", "nino de ", "chica de ", "chico de ",
	"muchacha de ", "muchacho de ", "chamaca de ", "chamaco de ", "jovencita de ",
	"adolescente de ", "a los ",
};

/*
 * "tiene 15" is as often a count ("tiene 3 hijos", "tiene dos") as an age,
 * so after these the number must be at least AGE_HAS_MIN.
 */
static const char *const has_before[] = { "tiene ", "tenia ", "tengo " };
#define AGE_HAS_MIN 10

/*
 * What may follow a bare age: the end of the text, a mark that ends a
 * clause (is_follow_mark()), or one of these words. Anything else is a
 * count or a measure: "is 15 minutes away", "turned 15 minutes later",
 * "tiene 15 dolares".
 */
static const char *const follow_words[] = {
	"and", "or", "but", "so", "now", "when", "then", "too", "also", "already", "yet",
	"years", "yrs", "yr", "y", "o", "pero", "cuando", "ya", "ahora", "tambien",
};

/* A mark that ends a clause: ".,;!?)". */
static bool is_follow_mark(char c)
{
	return c == '.' || c == ',' || c == ';' || c == '!' || c == '?' || c == ')';
}

/* After a birthday a time may follow too: "turned 16 last month". */
static const char *const follow_time[] = {
	"last", "this", "yesterday", "today", "recently", "in", "on", "el", "la", "en",
	"hace", "este", "esta", "ayer", "hoy",
};

/* Cues that say a minor without a number; they stand for AGE_MINOR_BOUND. */
static const char *const cues[] = {
	"high school", "middle school", "junior high", "secundaria", "preparatoria",
	"prepa", "underage", "under age", "under-age", "under 18", "menor de edad",
	"menores de edad", "minors", "minor girl", "minor boy", "minor child",
};

/* "a minor injury": after these, "minor" is not a person. */
static const char *const not_minor[] = {
	" injury", " injuries", " issue", " issues", " problem", " problems",
	" detail", " details", " change", " changes", " role", " part", " league",
	" offense", " offence", " accident", " incident", " thing", " things",
	" amount", " fee", " repair", " repairs", " key", " surgery",
};

/* Adds the first byte of each of count phrases to set. */
static void first_bytes(uint8_t *set, const char *const *phrases, size_t count)
{
	for (size_t k = 0; k < count; k++) {
		unsigned char c = (unsigned char)phrases[k][0];

		set[c >> 3] |= (uint8_t)(1u << (c & 7));
	}
}

/* Adds the byte at back bytes before the end of each of count phrases to set. */
static void last_bytes(uint8_t *set, const char *const *phrases, size_t count, size_t back)
{
	for (size_t k = 0; k < count; k++) {
		size_t n = strlen(phrases[k]);
		unsigned char c;

		assert(n > back);
		c = (unsigned char)phrases[k][n - 1 - back];
		set[c >> 3] |= (uint8_t)(1u << (c & 7));
	}
}

/* The byte c is in set (first_bytes(), last_bytes()). */
static bool in_set(const uint8_t *set, char c)
{
	unsigned char u = (unsigned char)c;

	return set[u >> 3] >> (u & 7) & 1;
}

/* Whether some phrase whose first byte is in set can start at t[i] (i < len). */
static bool first_has(const uint8_t *set, const char *t, size_t len, size_t i)
{
	return i < len && in_set(set, t[i]);
}

static void add_age(const struct norm *n, struct entities *out, size_t a, size_t b,
		    int years, int is_cue)
{
	char value[VALUE_SIZE];
	struct entity *x;
	size_t start, end, len = b - a < VALUE_SIZE ? b - a : VALUE_SIZE - 1;

	memcpy(value, n->text + a, len);
	value[len] = '\0';
	norm_span(n, a, b, &start, &end);
	x = entities_add(out, ENTITY_AGE, value, start, end);
	if (x) {
		x->number = years;
		x->is_cue = is_cue;
	}
}

/*
 * The number v, from 1 to 99, at t[i..e) (age_number()) followed by a
 * phrase that makes it an age.
 */
static size_t age_with_unit(const struct norm *n, const struct age_words *w, size_t i, int v,
			    size_t e, struct entities *out)
{
	const char *t = n->text;
	size_t len = n->len, s, u = 0;

	s = e;
	if (s < len && (t[s] == ' ' || t[s] == '-'))
		s++;
	if (!first_has(w->unit_first, t, len, s))
		return 0;
	u = phrase_list_at(&w->lists.after, t, len, s);
	if (!u && (u = phrase_at(t, len, s, anos_unit[0]))) {
		const char *p = phrase_list_before(&w->lists.anos_before, t, i);

		/* "más de 15 años" is a length of time. */
		if (!p || (!strcmp(p, "de ") &&
			 (phrase_before(t, i - 3, "mas ") || phrase_before(t, i - 3, "menos "))))
			u = 0;
	}
	if (!u)
		return 0;
	add_age(n, out, i, u, v, 0);
	return u;
}

/* The phrase p ends right before t[i]; unlike phrase_before(), p may end a longer word. */
static int ends_with(const char *t, size_t i, const char *p)
{
	size_t n = strlen(p);

	return i >= n && (n < 2 || (t[i - 2] == p[n - 2] && t[i - n] == p[0])) &&
	       !memcmp(t + i - n, p, n);
}

/*
 * Where a subject and a verb of being that end right before t[i] start
 * ("she is ", "my daughter's "), or SIZE_MAX.
 */
static size_t subject_start(const struct age_words *w, const char *t, size_t i)
{
	const char *p;
	size_t v, j;

	for (v = 0; v < ARRAY_SIZE(subject_verbs); v++) {
		if (!ends_with(t, i, subject_verbs[v]))
			continue;
		j = i - strlen(subject_verbs[v]);
		p = phrase_list_before(&w->lists.subjects, t, j);
		if (p)
			return j - strlen(p);
	}
	return SIZE_MAX;
}

/* What follows a bare age at t[e] lets it stand (follow_words, and follow_time if time). */
static int age_follows(const struct age_words *w, const char *t, size_t len, size_t e, int time)
{
	if (e == len || is_follow_mark(t[e]))
		return 1;
	if (t[e] != ' ')
		return 0;
	e++;
	if (!first_has(w->follow_first, t, len, e))
		return 0;
	return phrase_list_at(&w->lists.follow, t, len, e) ||
	       (time && phrase_list_at(&w->lists.follow_time, t, len, e));
}

/*
 * The bare number v, from 1 to 99, at t[i..e) (age_number()) after the
 * words above: "she is 15", "turned 16", "una niña de 13", "tiene 15".
 * The age's span starts at those words.
 */
static size_t age_after_verb(const struct norm *n, const struct age_words *w, size_t i, int v,
			     size_t e, struct entities *out)
{
	const char *t = n->text;
	size_t len = n->len, a;
	const char *p;
	int time = 0;

	/*
	 * Every phrase of subject_verbs, turned_before, person_of and
	 * has_before ends with a space: most numbers (prices, phone digits)
	 * are turned away here before any list is read.
	 */
	if (i == 0 || t[i - 1] != ' ')
		return 0;
	/* Whatever the phrase before it, its last two bytes are in these sets. */
	if (i < 3 || !in_set(w->verb_last, t[i - 2]) || !in_set(w->verb_second_last, t[i - 3]))
		return 0;
	/*
	 * What follows must let the age stand whichever phrase comes before
	 * it (after a birthday more may follow): most numbers, such as the
	 * digits of a phone number in words, are turned away before the
	 * phrases before them are looked for.
	 */
	if (!age_follows(w, t, len, e, 1))
		return 0;
	/* "he is one too", "tiene una": the word for one is a count, not an age. */
	if (!is_digit(t[i]) && v == 1)
		return 0;
	a = subject_start(w, t, i);
	if (a == SIZE_MAX && (p = phrase_list_before(&w->lists.turned_before, t, i))) {
		a = i - strlen(p);
		time = 1;
	}
	if (a == SIZE_MAX && (p = phrase_list_before(&w->lists.person_of, t, i)))
		a = i - strlen(p);
	if (a == SIZE_MAX && v >= AGE_HAS_MIN &&
	    (p = phrase_list_before(&w->lists.has_before, t, i)))
		a = i - strlen(p);
	/* After a birthday, what follows was checked above. */
	if (a == SIZE_MAX || (!time && !age_follows(w, t, len, e, 0)))
		return 0;
	add_age(n, out, a, e, v, 0);
	return e;
}

/* "age 16", "aged 16", "looks about 14" at t[i]. */
static size_t age_after_word(const struct norm *n, const struct age_words *w, size_t i,
			     struct entities *out)
{
	const char *t = n->text;
	size_t len = n->len, p, e;
	int v, is_cue = 0;

	p = phrase_list_at(&w->lists.before, t, len, i);
	if (!p) {
		p = phrase_list_at(&w->lists.cue_before, t, len, i);
		is_cue = 1;
	}
	if (!p || p >= len)
		return 0;
	v = age_number(t, len, p, &e);
	if (v < 1 || v > 99)
		return 0;
	add_age(n, out, i, e, v, is_cue);
	return e;
}

/* "high school", "menor de edad" at t[i]. */
static size_t age_cue(const struct norm *n, const struct age_words *w, size_t i,
		      struct entities *out)
{
	const char *t = n->text;
	size_t a = i, e = phrase_list_at(&w->lists.cues, t, n->len, i);

	/*
	 * "a minor", "the minor": read at "minor", since "a" and "the" are
	 * too common to look at every one of them.
	 */
	if (!e && (e = phrase_at(t, n->len, i, "minor"))) {
		if (phrase_before(t, i, "a "))
			a = i - 2;
		else if (phrase_before(t, i, "the "))
			a = i - 4;
		else
			e = 0;
	}
	if (!e || phrase_list_at(&w->lists.not_minor, t, n->len, e))
		return 0;
	add_age(n, out, a, e, AGE_MINOR_BOUND, 1);
	return e;
}

#ifndef NDEBUG
/* True when every phrase of the list ends with a space (age_after_verb() relies on it). */
static bool all_end_in_space(const char *const *phrases, size_t count)
{
	for (size_t k = 0; k < count; k++) {
		size_t n = strlen(phrases[k]);

		if (!n || phrases[k][n - 1] != ' ')
			return false;
	}
	return true;
}
#endif

void age_words_init(struct age_words *w)
{
	assert(all_end_in_space(subject_verbs, ARRAY_SIZE(subject_verbs)) &&
	       all_end_in_space(turned_before, ARRAY_SIZE(turned_before)) &&
	       all_end_in_space(person_of, ARRAY_SIZE(person_of)) &&
	       all_end_in_space(has_before, ARRAY_SIZE(has_before)));
	wordset_init(&w->numbers);
	numword_add_numbers(&w->numbers);
	wordset_init(&w->before);
	wordset_add_all(&w->before, age_before, ARRAY_SIZE(age_before));
	wordset_add_all(&w->before, cue_before, ARRAY_SIZE(cue_before));
	wordset_init(&w->cues);
	wordset_add_all(&w->cues, cues, ARRAY_SIZE(cues));
	memset(w->unit_first, 0, sizeof(w->unit_first));
	first_bytes(w->unit_first, age_after, ARRAY_SIZE(age_after));
	first_bytes(w->unit_first, anos_unit, ARRAY_SIZE(anos_unit));
	memset(w->follow_first, 0, sizeof(w->follow_first));
	first_bytes(w->follow_first, follow_words, ARRAY_SIZE(follow_words));
	first_bytes(w->follow_first, follow_time, ARRAY_SIZE(follow_time));
	phrase_list_init(&w->lists.after, age_after, ARRAY_SIZE(age_after));
	phrase_list_init(&w->lists.follow, follow_words, ARRAY_SIZE(follow_words));
	phrase_list_init(&w->lists.follow_time, follow_time, ARRAY_SIZE(follow_time));
	phrase_list_init(&w->lists.before, age_before, ARRAY_SIZE(age_before));
	phrase_list_init(&w->lists.cue_before, cue_before, ARRAY_SIZE(cue_before));
	phrase_list_init(&w->lists.cues, cues, ARRAY_SIZE(cues));
	phrase_list_init(&w->lists.not_minor, not_minor, ARRAY_SIZE(not_minor));
	phrase_list_init(&w->lists.anos_before, anos_before, ARRAY_SIZE(anos_before));
	phrase_list_init(&w->lists.subjects, subjects, ARRAY_SIZE(subjects));
	phrase_list_init(&w->lists.turned_before, turned_before, ARRAY_SIZE(turned_before));
	phrase_list_init(&w->lists.person_of, person_of, ARRAY_SIZE(person_of));
	phrase_list_init(&w->lists.has_before, has_before, ARRAY_SIZE(has_before));
	memset(w->verb_last, 0, sizeof(w->verb_last));
	memset(w->verb_second_last, 0, sizeof(w->verb_second_last));
	for (size_t back = 1; back <= 2; back++) {
		uint8_t *set = back == 1 ? w->verb_last : w->verb_second_last;

		last_bytes(set, subject_verbs, ARRAY_SIZE(subject_verbs), back);
		last_bytes(set, turned_before, ARRAY_SIZE(turned_before), back);
		last_bytes(set, person_of, ARRAY_SIZE(person_of), back);
		last_bytes(set, has_before, ARRAY_SIZE(has_before), back);
	}
}

size_t age_at(const struct norm *n, const struct age_words *w, size_t i,
	      const struct wordset_probe *pr, struct entities *out)
{
	const char *t = n->text;
	size_t e = 0, ne;
	int v;

	assert(pr || is_digit(t[i]));
	if (is_digit(t[i]) || wordset_maybe_probe(&w->numbers, pr)) {
		/* The number is read once for both: its end ne is set only from 1 to 99. */
		v = age_number(t, n->len, i, &ne);
		if (v >= 1 && v <= 99) {
			e = age_with_unit(n, w, i, v, ne, out);
			if (!e)
				e = age_after_verb(n, w, i, v, ne, out);
		}
	}
	if (!e && is_alpha(t[i]) && wordset_maybe_probe(&w->before, pr))
		e = age_after_word(n, w, i, out);
	if (!e && is_alpha(t[i]) && wordset_maybe_probe(&w->cues, pr))
		e = age_cue(n, w, i, out);
	return e;
}
