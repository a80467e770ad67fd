/*
 * hugepage.h - asks the kernel to back a large block with huge pages.
 *
 * The ads index reads its sketches, union-find parents and string tables
 * at random, hundreds of megabytes of them at millions of ads: with 4 KiB
 * pages nearly every read also misses the TLB and waits for a page walk.
 * Linux's transparent huge pages (2 MiB) cover the same memory with 512
 * times fewer entries, and Debian's default ("madvise") grants them only
 * to memory that asks. A hint only: a kernel without them, or that
 * refuses, leaves the block as it was, and nothing changes but the speed.
 */
#ifndef VIGIL_HUGEPAGE_H
#define VIGIL_HUGEPAGE_H

#include <stddef.h>

/*
 * Advises huge pages for the whole 2 MiB pages inside p[0, len); a block
 * smaller than that is left alone. Pages already touched keep their size
 * until the kernel's background collapsing; advise a block as soon as it
 * is allocated or grown.
 */
void hugepage_advise(void *p, size_t len);

#endif
