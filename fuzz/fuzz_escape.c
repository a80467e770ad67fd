/*
 * fuzz_escape.c - the HTML escaper every template value goes through
 * (web/template.h tpl_escape): the one thing that keeps a tip's text from
 * becoming markup in the staff console.
 *
 * The output is checked against the contract byte by byte: & < > " ' and `
 * only as their entities, NUL as U+FFFD, every other byte as it was, and
 * on VG_TOOBIG the buffer exactly as it was before the call. The buffer's
 * limit is twice the input, so long inputs full of specials reach it.
 */
#include "base/compat.h"
#include "fuzz.h"
#include "web/template.h"

static const char prefix[] = "<p>";

/* The escaped form of byte c, or NULL when it stands for itself. */
static const char *entity(char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	case '`': return "&#96;";
	case '\0': return "\xEF\xBF\xBD";
	default: return NULL;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct buf out;
	const char *o;
	size_t i, left;
	int rc;

	buf_init(&out, sizeof(prefix) + 2 * size + 8);
	fuzz_check(buf_adds(&out, prefix) == VG_OK);
	rc = tpl_escape(&out, in, size);
	if (rc) {
		fuzz_check(rc == VG_TOOBIG);
		fuzz_check(out.len == sizeof(prefix) - 1 && !strcmp(buf_str(&out), prefix));
		goto out;
	}
	o = buf_str(&out) + sizeof(prefix) - 1;
	left = out.len - (sizeof(prefix) - 1);
	for (i = 0; i < size; i++) {
		const char *ent = entity(in[i]);
		size_t n = ent ? strlen(ent) : 1;

		fuzz_check(left >= n);
		fuzz_check(ent ? !memcmp(o, ent, n) : *o == in[i]);
		o += n;
		left -= n;
	}
	fuzz_check(left == 0);
out:
	buf_release(&out);
	return 0;
}
