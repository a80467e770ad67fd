/*
 * fuzz_form.c - application/x-www-form-urlencoded bodies (web/form.h), as
 * every public and staff form posts them.
 *
 * Beyond memory safety it checks the parser's promises: names are short
 * and unique except a list's (ending in "[]"), a value holds no NUL
 * (control characters are refused), and a failed parse leaves nothing
 * behind.
 */
#include "base/compat.h"
#include "fuzz.h"
#include "web/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form f;
	size_t i;
	int rc;

	form_init(&f);
	rc = form_parse(&f, (const char *)data, size);
	if (rc) {
		fuzz_check(f.storage == NULL && f.count == 0);
		fuzz_check(strlen(f.error_field) <= FORM_NAME_MAX);
		return 0;
	}
	fuzz_check(f.count <= FORM_MAX_FIELDS);
	for (i = 0; i < f.count; i++) {
		const struct form_field *fd = &f.fields[i];
		size_t len = 0;

		fuzz_check(fd->name[0] != '\0' && strlen(fd->name) <= FORM_NAME_MAX);
		fuzz_check(strlen(fd->value) == fd->len);
		/* A list's name may repeat; form_get() gives its first value. */
		if (form_is_list(fd->name))
			continue;
		fuzz_check(form_get(&f, fd->name, &len) == fd->value && len == fd->len);
	}
	form_release(&f);
	return 0;
}
