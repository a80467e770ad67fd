#ifndef VIGIL_SCREEN_RULES_IMPL_H
#define VIGIL_SCREEN_RULES_IMPL_H

/*
 * The insides of the matcher (rules.h), shared by its files and by no
 * other module:
 *
 *   rules.c          the category vocabulary and the rule files
 *   rules_pattern.c  reading a pattern into items
 *   rules_factor.c   sets of strings and the choice of each branch's factor
 *   rules_compile.c  the programs and the databases (rules_compile())
 *   rules_match.c    the two phases of rules_match()
 */

#include <hs/hs.h>

#include "screen/rules.h"

/*
 * The matcher (rules.h, "The compiled matcher"). Compiling reads each
 * pattern into a small tree (items: characters, classes, assertions, groups,
 * each with its repeat counts), picks one run of plain-text items of every
 * branch as its factor, and turns what comes before and after the factor
 * into programs of four kinds of step: an assertion, a set of strings, a
 * run of one ASCII class, and anything else as an anchored vectorscan
 * database. Only what vectorscan must do goes to vectorscan: the anchored
 * databases of a gap such as "[ -~]{0,30}" followed by a word list take a
 * tenth of a second each to build, while reading the gap byte by byte and
 * comparing the words costs nothing to build and little to run.
 */

#define REPEAT_INF UINT32_MAX
/* A set of strings: at most this many, each at most LIT_LEN bytes. */
#define LITS_MAX 32
#define LIT_LEN 64
/* The members of a class are listed (for sets of strings) up to this many. */
#define CLASS_CHARS_MAX 10

enum item_kind { ITEM_CHAR, ITEM_CLASS, ITEM_ASSERT, ITEM_GROUP };

struct seq;

/*
 * A set of strings, each matched byte for byte in the normalised text,
 * with how rare each is as a factor (see LETTER_ODDS in rules_factor.c).
 */
struct litset {
	uint32_t n;
	uint8_t len[LITS_MAX];
	double odds[LITS_MAX];
	char s[LITS_MAX][LIT_LEN];
};

struct item {
	enum item_kind kind;
	const char *src;          /* the atom as written, without its repeat */
	uint32_t srclen;
	const char *q;            /* the repeat as written, "" when none */
	uint32_t qlen;
	uint32_t min, max;        /* repeat counts, max REPEAT_INF for * and + */
	struct seq *alts;         /* ITEM_GROUP */
	uint32_t nalts;
	char anchor;              /* ITEM_ASSERT: b, B, ^, $, A, z or Z (\b, \B, ^, ...) */
	/*
	 * ITEM_CHAR and ITEM_CLASS: the characters matched, in UTF-8, when
	 * they can be listed (nchars > 0) and each can be compared byte for
	 * byte with case-folded text; ascii when bytes holds all it matches.
	 */
	uint8_t nchars;
	char chars[CLASS_CHARS_MAX][5];
	bool ascii;
	uint8_t bytes[32];
	const struct litset *lang; /* its strings, once computed; NULL when not finite */
	bool lang_done;
};

struct seq {
	struct item **items;
	uint32_t n;
	const struct litset *lang; /* as item.lang */
	bool lang_done;
};

/*
 * The common words of a rule set (struct rules.words) in an open-addressed
 * hash table: the factor chooser asks about every word of every string it
 * weighs, some millions of times for the 413 rules.
 */
#define WORDS_SLOTS (2 * RULES_WORDS_MAX)

struct words {
	const char (*w)[RULES_WORD_MAX];
	uint16_t slot[WORDS_SLOTS]; /* 1 + the word's index, or 0 */
};

/* One pattern read into items; every array is allocated for the worst case. */
struct pattern {
	const char *p;
	size_t len, pos;
	struct item *items;
	size_t nitems;
	struct seq *seqs;
	size_t nseqs;
	struct item **ptrs;       /* the items of every seq, seq after seq */
	size_t nptrs;
	struct item **stack;      /* items of the seqs being read */
	size_t nstack;
	struct seq *seqstack;     /* branches of the groups being read */
	size_t nseqstack;
	struct seq *top;          /* the top-level branches */
	uint32_t ntop;
	struct litset **sets;     /* every litset made, to free */
	size_t nsets, capsets;
	struct item **made;       /* groups made while choosing factors, to free */
	size_t nmade, capmade;
	const char *why;          /* what is not supported */
	const struct words *common; /* the common words */
};

enum op_kind { OP_ASSERT, OP_SET, OP_GAP, OP_DB };

/* One step of a program, applied to a set of positions. */
struct op {
	uint8_t kind;
	char anchor;              /* OP_ASSERT: as item.anchor; OP_GAP and OP_SET: an
				   * assertion the positions reached must meet, or 0 */
	uint8_t bytes[32];        /* OP_GAP: the ASCII bytes of the class; OP_SET: the bytes
				   * its strings start with (end with, read backwards) */
	uint32_t min, max;        /* OP_GAP */
	uint32_t lit, nlit;       /* OP_SET: db->lits[lit .. lit + nlit) */
	bool empty;               /* OP_SET: one of its strings is "" */
	uint8_t key[LITS_MAX];    /* OP_SET: each string's first byte (last, backwards) */
	uint8_t key2[LITS_MAX];   /* OP_SET: its second (second to last), 0 when shorter */
	uint32_t one, nonempty;   /* OP_SET: bit k for string k of one byte, of one or more */
	uint32_t hdb;             /* OP_DB: db->hdbs[hdb] */
};

/*
 * A string of a set. head and mask are its first eight bytes (its last
 * eight, read backwards) as swar_load8() reads them from the text, so that
 * one load and one comparison settle most strings of a set with no call
 * to memcmp(): in prose most strings of a set start with the same space.
 */
struct lit {
	uint32_t off, len;        /* in db->litbuf */
	uint64_t head, mask;
};

/*
 * A string that rides on another (struct target): it would start back
 * bytes before the end of the string found, and is read like a string of
 * a set.
 */
struct rider {
	struct lit lit;
	uint32_t target;          /* in db->p1 */
	uint32_t back;
};

/*
 * A branch of a rule with its factor: left is applied backwards from the
 * start of the factor, right forwards from its end.
 */
struct branch {
	uint32_t rule;
	uint32_t lop, nlop;
	uint32_t rop, nrop;
	/*
	 * The assertions each side starts with (the \b next to the factor),
	 * when there are at most two, copied here from the steps: most
	 * factors found inside a word are turned away by them, and reading
	 * them here spares a read of the steps for each such factor.
	 */
	char lassert[2], rassert[2];
	uint8_t nlassert, nrassert; /* how many; 3 for more than two (then none are copied) */
};

/*
 * A factor string and the branches it is the factor of. Only the strings
 * that contain no other factor string are in the phase-one database; each
 * of the others rides on the longest of those that it contains (see
 * phase1_build()), and is looked for where that one is found.
 */
struct target {
	uint32_t first, count;    /* in db->targets */
	uint32_t len;
	uint32_t rider, nriders;  /* in db->riders: the strings that ride on this one */
	/*
	 * What the riders need next to this string, bit (c & 63) for byte c:
	 * after it, for those that go on past its end; before it, for the
	 * others. Most places where the string is found have neither, and
	 * none of its riders is compared there.
	 */
	uint64_t after, before;
};

/* An anchored phase-two database, kept once however many branches use it. */
struct hdb {
	hs_database_t *h;
	char *expr;
};

struct rules_db {
	size_t nrules;
	hs_database_t *phase1;
	struct target *p1;        /* every factor string; phase-one ids are the first nlit1 */
	size_t np1, nlit1;
	struct rider *riders;
	size_t nriders;
	uint32_t *targets;        /* branch indices */
	size_t ntargets;
	struct branch *branches;
	size_t nbranches, capbranches;
	struct op *ops;
	size_t nops, capops;
	struct lit *lits;
	size_t nlits, caplits;
	char *litbuf;
	size_t litbuflen, capbuf;
	struct hdb *hdbs;
	size_t nhdbs, caphdbs;
	hs_scratch_t *proto;      /* big enough for every database */
};

/* One branch with its factor seq[i..j). */
struct part {
	struct item **seq;
	uint32_t n, i, j;
	struct litset lits;
};

struct plan {
	struct part *parts;
	size_t n;
	double cost;
};

static inline void bytes_add(uint8_t *b, unsigned c)
{
	b[c >> 3] |= (uint8_t)(1u << (c & 7));
}

static inline bool bytes_has(const uint8_t *b, unsigned char c)
{
	return b[c >> 3] >> (c & 7) & 1;
}

/*
 * The bytes of \w without HS_FLAG_UCP, as a set read with bytes_has():
 * 0-9 (0x30-0x39), A-Z (0x41-0x5a), _ (0x5f) and a-z (0x61-0x7a). Phase
 * two asks about the bytes around every factor found; one load and a bit
 * test answer it.
 */
static const uint8_t word_bytes[32] = {
	[6] = 0xff, [7] = 0x03, [8] = 0xfe, [9] = 0xff, [10] = 0xff, [11] = 0x87,
	[12] = 0xfe, [13] = 0xff, [14] = 0xff, [15] = 0x07,
};

static inline bool is_word(unsigned char c)
{
	return bytes_has(word_bytes, c);
}

/*
 * rules.c: grows the array *p (of *cap elements of size bytes) to hold at
 * least need elements, doubling from 16; VG_NOMEM leaves *p and *cap as
 * they were. Not inline: the matcher's callers test for room first, and
 * a call on the rare path keeps them small enough to be inlined.
 */
int array_grow(void *p, size_t *cap, size_t need, size_t size);

/*
 * rules.c: writes "file:line: " and the formatted message to err (when
 * errsize is not 0) and returns VG_INVAL, for the callers to return.
 */
int rules_fail(char *err, size_t errsize, const char *file, unsigned line,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* ---------------------------------------------------------------------
 * Reading a pattern (rules_pattern.c).
 *
 * pattern_init() sets pt up for the NUL-terminated pattern p, which must
 * outlive it, allocating its arrays for the worst case; VG_NOMEM (pt must
 * still be released). pattern_parse() reads it into pt->top[0..ntop);
 * VG_INVAL with pt->why naming a construct the matcher does not take, or
 * VG_NOMEM. pattern_release() frees what pt holds, including the sets and
 * groups the factor chooser made in it, and zeroes it.
 */
int pattern_init(struct pattern *pt, const char *p);
int pattern_parse(struct pattern *pt);
void pattern_release(struct pattern *pt);

/* ---------------------------------------------------------------------
 * Sets of strings and choosing the factors (rules_factor.c).
 */

/* Fills t with the common words of r; t keeps pointers into r->words. */
void words_build(struct words *t, const struct rules *r);

/* out = every a followed by every b; false when it does not fit. */
bool litset_product(const struct litset *a, const struct litset *b, struct litset *out);

/*
 * The strings an item matches, when they are few and can be compared byte
 * for byte: characters, small classes, groups of such, repeated at most
 * three times. NULL otherwise (and for assertions, which a set of strings
 * cannot check). The set belongs to pt and is computed once per item.
 */
const struct litset *item_lang(struct pattern *pt, struct item *it);

/*
 * Appends items[0..n) to *v (of *len items, room for *cap), inlining groups
 * that occur once and have one branch; VG_NOMEM. *v is the caller's to free.
 */
int items_flatten(struct item *const *items, uint32_t n, struct item ***v, uint32_t *len,
		  size_t *cap);

/*
 * The best factor of seq[0..n) (which the plan takes over): the cheapest
 * run of items whose strings are never empty, or, when that is not rare
 * enough, the best plans of the branches made by distributing one group
 * over the rest; depth is how many groups were distributed to get here.
 * best->n is 0 when no part of the branch is plain text. VG_NOMEM.
 */
int plan_branch(struct pattern *pt, struct item **seq, uint32_t n, unsigned depth,
		struct plan *best);

/* Frees the parts of p and their seqs, and empties it. */
void plan_release(struct plan *p);

#endif
