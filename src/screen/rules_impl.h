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
 *   rules_phase1.c   the phase-one database, its targets and riders
 *   rules_scan.c     phase one's scanner: the strings keyed by four bytes
 *   rules_match.c    the two phases of rules_match()
 *   rules_anchored.c the steps of phase two read by anchored scans, and word gaps
 */

#include <hs/hs.h>

#include "screen/rules.h"

/*
 * The matcher (rules.h, "The compiled matcher"). Compiling reads each
 * pattern into a small tree (items: characters, classes, assertions, groups,
 * each with its repeat counts), picks one run of plain-text items of every
 * branch as its factor, and turns what comes before and after the factor
 * into programs of five kinds of step: an assertion, a set of strings, a
 * run of one ASCII class, a gap of words ("\W+(\w+\W+){0,3}"), and
 * anything else as an anchored vectorscan database. Only what vectorscan must do goes to vectorscan: the anchored
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

/*
 * OP_WORDS is the word gap "\W+(\w+\W+){min,max}" (read backwards, the
 * same words in the other order): a run of non-word characters, then up
 * to max words each followed by one. It is read here rather than by an
 * anchored database, which cost a scan for every position it is run from.
 */
enum op_kind { OP_ASSERT, OP_SET, OP_GAP, OP_DB, OP_WORDS };

/* One step of a program, applied to a set of positions. */
struct op {
	uint8_t kind;
	char anchor;              /* OP_ASSERT: as item.anchor; OP_GAP and OP_SET: an
				   * assertion the positions reached must meet, or 0 */
	uint8_t bytes[32];        /* OP_GAP: the ASCII bytes of the class; OP_SET: the bytes
				   * its strings start with (end with, read backwards);
				   * OP_DB: those its matches start with, when lead */
	uint32_t min, max;        /* OP_GAP; OP_WORDS: the words' repeat counts */
	uint32_t lit, nlit;       /* OP_SET: db->lits[lit .. lit + nlit) */
	bool empty;               /* OP_SET: one of its strings is "" */
	bool lead;                /* OP_DB: bytes holds every byte a match can start with */
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
 * A rider's key, db->rkey[r] for db->riders[r]: the two bytes it holds
 * right after the string it rides on (the byte there and the next, in the
 * low and high byte of the key), or, when it ends with that string, the
 * two right before it (the byte there and the one before). Its mask,
 * db->rmask[r], is 0xff for a byte that the rider has and 0 past its end.
 * A rider is compared with the text only where (bytes & mask) == key: a
 * host such as "work" has some thirty riders, and this spares the reads
 * of all but one or two of them. The keys are compared eight at a time,
 * so both arrays have RKEY_PAD more entries, which never match.
 */
#define RKEY_PAD 8

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
	/*
	 * The bytes the step after those assertions can start with, bit
	 * (c & 63) for byte c (the byte before the factor for the left side,
	 * the one after it for the right), when that step is a set with no
	 * empty string or a gap that reads at least one byte; all bits set
	 * otherwise. Many factors are found where the byte next to them is
	 * one that no match has there ("one" before a letter, for
	 * "(one|two)[0-9]"): the side is turned away with no program run.
	 */
	uint64_t llead, rlead;
	/*
	 * A side's need (need_find()): the runs of three bytes, one of which
	 * a match must hold within its first win bytes from the factor
	 * (before it for the left side), db->needs[need..need + nneed); nneed
	 * 0 when the side has none. A set of strings far from the factor,
	 * past a gap, is most of what a side costs to read ("owe" up to 30
	 * bytes before "money"), and mostly not there at all: one look at the
	 * bytes in between turns the side away.
	 */
	uint32_t lneed, rneed;
	uint16_t lwin, rwin;
	uint8_t nlneed, nrneed;
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
	/*
	 * In db->riders: the strings that ride on this one, the nafter that
	 * go on past its end first.
	 */
	uint32_t rider, nriders, nafter;
	/*
	 * What the riders need next to this string, bit (c & 63) for byte c:
	 * after it, for those that go on past its end; before it, for the
	 * others. Most places where the string is found have neither, and
	 * none of its riders is compared there.
	 */
	uint64_t after, before;
};

/*
 * Phase one's scanner (rules_scan.c). Each string of three bytes or more
 * is keyed by one run of four bytes in it, the least common in prose (its
 * three bytes for a string of three); a filter of 2^P1_FILTER_BITS bits
 * (128 KB), indexed by a hash of four bytes, holds every key (a key of
 * three bytes with each of the 256 fourth bytes). The scanner tests the
 * four bytes of every place of the text in the filter, and only where it
 * has them looks the key up in a table and compares the strings keyed by
 * it. The few strings shorter than three bytes are looked for one by one.
 */
#define P1_FILTER_BITS 20
/*
 * Most places the filter lets through hold a key of four bytes: a set of
 * 2^P1_HAS3_BITS bits of the keys of three bytes spares them a look in
 * the table of those.
 */
#define P1_HAS3_BITS 12

struct p1str {
	uint64_t head, mask;      /* its first min(8, len) bytes, as lit_head() */
	uint32_t id;              /* its index in db->p1 */
	uint32_t lit, len;        /* its bytes in db->litbuf */
	uint32_t off;             /* where its key starts in it */
	uint32_t key;             /* its bytes off..off + 4 (0..3 for three), as loaded */
};

/* The strings with one key: db->scan.strs[first..first + count). */
struct p1slot {
	uint32_t key, first, count;
};

struct p1scan {
	uint64_t *filter;
	uint64_t has3[(1u << P1_HAS3_BITS) / 64];
	struct p1slot *slots4, *slots3; /* open-addressed; count 0 is free */
	unsigned bits4, bits3;    /* the log of each one's size */
	struct p1str *strs;
	size_t nstrs;
	struct p1str *shorts;     /* shorter than three bytes */
	size_t nshorts;
};

/* An anchored phase-two database, kept once however many branches use it. */
struct hdb {
	hs_database_t *h;
	char *expr;
};

struct rules_db {
	size_t nrules;
	struct p1scan scan;
	struct target *p1;        /* every factor string; phase-one ids are the first nlit1 */
	size_t np1, nlit1;
	struct rider *riders;
	uint16_t *rkey, *rmask;   /* one for each rider, and RKEY_PAD more */
	size_t nriders;
	uint32_t *targets;        /* branch indices */
	size_t ntargets;
	struct branch *branches;
	size_t nbranches, capbranches;
	struct op *ops;
	size_t nops, capops;
	struct lit *lits;
	size_t nlits, caplits;
	uint32_t *needs;          /* struct branch's runs: three bytes in the first three of each */
	size_t nneeds, capneeds;
	char *litbuf;
	size_t litbuflen, capbuf;
	struct hdb *hdbs;
	size_t nhdbs, caphdbs;
	hs_scratch_t *proto;      /* big enough for every database; NULL without one */
};

/* A factor string found, while building: the string and its branch. */
struct p1lit {
	char s[LIT_LEN];
	uint8_t len;
	uint32_t branch;
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
 * The bytes of \w without HS_FLAG_UCP, one entry for each byte: 0-9
 * (0x30-0x39), A-Z (0x41-0x5a), _ (0x5f) and a-z (0x61-0x7a). Phase two
 * asks about the bytes around every factor found, and \b about two; a
 * table of bytes answers with one load, where a set of bits takes five
 * instructions.
 */
static const uint8_t word_table[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static inline bool is_word(unsigned char c)
{
	return word_table[c];
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

/* ---------------------------------------------------------------------
 * Matching (rules_match.c, rules_anchored.c).
 */

/* A match found in phase two: the leftmost start for one end of one rule. */
struct trip {
	uint32_t rule, from, to;
};

/* A factor string found by phase one: its id and where it ends. */
struct hit {
	uint32_t id, end;
};

/* A set of positions in the text, sorted when a step is done with it. */
struct posv {
	uint32_t *v;
	size_t n, cap;
};

struct rules_scratch {
	const struct rules_db *db;
	hs_scratch_t *hs;
	const char *text;
	size_t len;
	char *rev;                /* the text with its characters in reverse order */
	size_t revcap;
	bool rev_ok;
	struct hit *hits;
	size_t nhits, caphits;
	struct hit *carry;        /* strings found that end past the chunk read */
	size_t ncarry, capcarry;
	uint32_t *cand;           /* places of a chunk whose keys are in the filter */
	size_t capcand;
	struct trip *pend;        /* matches whose end is past what was flushed */
	size_t npend, cappend;
	struct posv pos[4];
	struct posv turned;       /* ends a gap turned away for the anchored scan after it */
	int32_t *last;            /* per rule: index in spans of its open span, -1 */
	struct rules_span *spans;
	size_t max, nspans;
	bool full, timing;
	uint64_t work, budget;    /* steps of phase two so far, and the most allowed */
	struct rules_stats stats;
};

/* Adds x to p; VG_NOMEM. */
static inline int posv_push(struct posv *p, uint32_t x)
{
	if (p->n == p->cap && array_grow(&p->v, &p->cap, p->n + 1, sizeof(*p->v)))
		return VG_NOMEM;
	p->v[p->n++] = x;
	return VG_OK;
}

/*
 * Runs the anchored database of op (OP_DB) from position x, adding where
 * its matches end to next: forwards, or backwards on s->rev (built on first
 * use). VG_INTERNAL when vectorscan fails; VG_NOMEM.
 */
int anchored_scan(const struct rules_db *db, struct rules_scratch *s, const struct op *op,
		  bool reverse, uint32_t x, struct posv *next);

/* Adds the ends of the word gap op (OP_WORDS) read from x to next; VG_NOMEM. */
int wordgap_ends(struct rules_scratch *s, const struct op *op, bool reverse, uint32_t x,
		 struct posv *next);

/* ---------------------------------------------------------------------
 * Building the programs and the phase-one database (rules_compile.c,
 * rules_phase1.c).
 */

/*
 * Sets l's head and mask from its string s: the first (backwards: the
 * last) min(8, len) bytes, where a load of the eight bytes after the
 * position (backwards: before it) puts them. l->len must be set.
 */
void lit_head(struct lit *l, const char *s, bool reverse);

/*
 * Builds db's phase-one scanner, its targets and its riders from the np1
 * factor strings p1 of its branches (which it sorts), keying the strings
 * by the four grams of rs; VG_NOMEM.
 */
int phase1_build(struct rules_db *db, struct p1lit *p1, size_t np1, const struct rules *rs);

/*
 * Builds db->scan for the n strings strs[0..n) (lens[i] bytes each, 1 to
 * LIT_LEN - 1), string i being db->p1[i], keying each by its least common
 * run of four bytes in r's four grams; VG_NOMEM.
 * p1scan_release() frees what it holds.
 */
int p1scan_build(struct rules_db *db, const char *const *strs, const size_t *lens, size_t n,
		 const struct rules *r);
void p1scan_release(struct p1scan *sc);

/*
 * Appends to s->hits every string of db->scan that ends in (from, to] of
 * s->text, in order of its end, as a streaming scan of
 * the chunk s->text[from..to) reports them; the chunks must be read in
 * order from 0, and s->ncarry be 0 before the first. VG_NOMEM.
 */
int p1scan_chunk(const struct rules_db *db, struct rules_scratch *s, size_t from, size_t to);

#endif
