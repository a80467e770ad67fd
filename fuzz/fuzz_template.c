/*
 * fuzz_template.c - the template parser (web/template.h tpl_set_load) on a
 * fuzzed set of files, then rendering of the sets that load.
 *
 * The input is up to four template files cut at form feeds, named t0 to t3
 * so that they can name each other as partials ({{>t1}}). A set that loads
 * is rendered, each template once, with data that has every JSON type, a
 * value full of markup, and a translator.
 *
 * Rendering is bounded in depth (a recursive partial or too many scopes
 * ends it with VG_TOOBIG) but not in work: nested sections over an array
 * of n elements render n^depth times, up to 31 deep, and a chain of
 * partials multiplies by its fan-out; a render that writes nothing never
 * meets the output limit (SECURITY.md, "Found, not fixed"). Templates are
 * compiled into the binary, not outside input, so the target renders only
 * sets with at most eight section tags and four partial tags, where the
 * work stays small; the parser sees every input.
 */
#include "base/compat.h"
#include "fuzz.h"
#include "web/template.h"

#define NFILES 4

static const char *translate(void *arg, const char *msgid)
{
	(void)arg;
	return strcmp(msgid, "Hello") ? msgid : "Hola <amigo>";
}

static size_t count(const char *s, size_t len, const char *needle)
{
	size_t n = 0;
	const char *p = s, *end = s + len;

	while ((p = memmem(p, (size_t)(end - p), needle, strlen(needle)))) {
		n++;
		p += strlen(needle);
	}
	return n;
}

static void render_all(const struct tpl_set *set, size_t nfiles)
{
	json_t *data = json_pack("{s:s, s:[i, s, {s:s}], s:b, s:b, s:s, s:{s:{s:s}}, s:f, s:n, s:i}",
				 "name", "<script>alert(1)</script>",
				 "items", 1, "two", "name", "\"inner\"",
				 "flag", 1, "off", 0, "empty", "",
				 "a", "b", "c", "deep & deeper",
				 "real", 3.5, "none", "count", 0);
	char name[4];
	size_t i;

	fuzz_check(data != NULL);
	for (i = 0; i < nfiles; i++) {
		struct buf out;
		int rc;

		buf_init(&out, 1 << 16);
		snprintf(name, sizeof(name), "t%zu", i);
		rc = tpl_render(set, name, data, i % 2 ? translate : NULL, NULL, &out);
		fuzz_check(rc == VG_OK || rc == VG_TOOBIG);
		fuzz_check(rc == VG_OK || out.len == 0);
		buf_release(&out);
	}
	json_decref(data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[NFILES] = {"t0.html", "t1.html", "t2.html", "t3.html"};
	struct fuzz_part parts[NFILES];
	struct embedded_file files[NFILES + 1];
	struct tpl_set *set = NULL;
	size_t i, n = fuzz_split(data, size, parts, NFILES);
	size_t partials = count((const char *)data, size, "{{>");
	size_t sections = count((const char *)data, size, "{{#");

	for (i = 0; i < n; i++) {
		files[i].name = names[i];
		files[i].data = (const unsigned char *)fuzz_strndup(parts[i].data, parts[i].len);
		files[i].len = parts[i].len;
	}
	files[n].name = NULL;
	files[n].data = NULL;
	files[n].len = 0;
	if (tpl_set_load(files, &set) == VG_OK) {
		if (partials <= 4 && sections <= 8)
			render_all(set, n);
		tpl_set_free(set);
	}
	for (i = 0; i < n; i++)
		free((void *)files[i].data);
	return 0;
}
