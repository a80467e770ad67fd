#include "base/compat.h"
#include "base/hugepage.h"

#include <sys/mman.h>

/* The x86-64 and arm64 huge page size; elsewhere the advice covers whole multiples of it. */
#define HUGE_SIZE ((uintptr_t)2 << 20)

void hugepage_advise(void *p, size_t len)
{
	uintptr_t start = ((uintptr_t)p + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1);
	uintptr_t end = ((uintptr_t)p + len) & ~(HUGE_SIZE - 1);

	/* The advice is a hint: a refusal (EINVAL without THP) changes nothing. */
	if (end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
}
