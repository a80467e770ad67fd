/*
 * fuzz.h - what the libFuzzer targets in fuzz/ share.
 *
 * Each target is one file holding LLVMFuzzerTestOneInput() for one parser
 * of outside input, and LLVMFuzzerInitialize() when it needs data loaded
 * once (the screening rules, the help-line directory, a data directory).
 * Nothing but what Initialize sets up outlives one input, so that a crash
 * reproduces from its input file alone.
 *
 * A target finds a bug by crashing: the sanitizers report memory and
 * undefined-behaviour errors, and fuzz_check() turns a broken contract
 * (an output a parser promises never to produce) into an abort.
 */
#ifndef VIGIL_FUZZ_H
#define VIGIL_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* The entry points libFuzzer calls; declared here for -Wmissing-prototypes. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Targets that take several files (templates, rule files, the directory)
 * read them from one input cut at each form feed: a byte no data file of
 * vigil holds, so that any other byte, NUL included, can appear inside a
 * file.
 */
#define FUZZ_FILE_SEPARATOR '\f'

struct fuzz_part {
	const char *data;
	size_t len;
};

/*
 * Cuts data at each FUZZ_FILE_SEPARATOR into at most max parts (the last
 * part keeps any further separators) and returns how many there are: at
 * least one, possibly empty.
 */
size_t fuzz_split(const uint8_t *data, size_t size, struct fuzz_part *parts, size_t max);

/* A NUL-terminated malloc'd copy of data; aborts when memory runs out. */
char *fuzz_strndup(const char *data, size_t size);

/*
 * Creates a private directory under $TMPDIR (else /tmp) that is removed
 * with everything in it when the process exits normally; its path goes to
 * out. For LLVMFuzzerInitialize only. Aborts when it cannot be made.
 */
void fuzz_tmpdir(char *out, size_t size);

/*
 * Aborts with a message naming the contract when cond is false. Unlike
 * assert() it is never compiled out, because it is the target's oracle.
 */
#define fuzz_check(cond) fuzz_check_at((cond), #cond, __FILE__, __LINE__)
void fuzz_check_at(int cond, const char *what, const char *file, int line);

#endif
