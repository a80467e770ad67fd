#include "base/compat.h"
#include "web/form.h"
#include "base/text.h"

void form_init(struct form *f)
{
	memset(f, 0, sizeof(*f));
}

void form_release(struct form *f)
{
	free(f->storage);
	form_init(f);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes src[0..len) in place into dst (dst may equal src: decoding never
 * lengthens), '+' as space and %XX as a byte; a stray '%' is malformed.
 * CRLF becomes LF. Returns the decoded length, or -1.
 */
static long decode(char *dst, const char *src, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		char c = src[i];

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi, lo;

			if (len - i < 3)
				return -1;
			hi = hexval(src[i + 1]);
			lo = hexval(src[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\n' && o > 0 && dst[o - 1] == '\r')
			o--;
		dst[o++] = c;
	}
	dst[o] = '\0';
	return (long)o;
}

static void note_field(struct form *f, const char *name)
{
	snprintf(f->error_field, sizeof(f->error_field), "%s", name);
}

int form_parse(struct form *f, const char *body, size_t len)
{
	char *p, *end;
	int rc = VG_OK;

	assert(!f->storage);
	f->storage = malloc(len + 1);
	if (!f->storage)
		return VG_NOMEM;
	memcpy(f->storage, body, len);
	f->storage[len] = '\0';
	p = f->storage;
	end = p + len;
	while (p < end) {
		char *amp = memchr(p, '&', (size_t)(end - p));
		char *pair_end = amp ? amp : end;
		char *eq = memchr(p, '=', (size_t)(pair_end - p));
		char *name = p, *value;
		long nlen, vlen;
		size_t i;

		p = pair_end + 1;
		if (pair_end == name)
			continue; /* "a=1&&b=2": an empty pair carries nothing */
		if (!eq) {
			rc = VG_INVAL;
			goto out;
		}
		value = eq + 1;
		nlen = decode(name, name, (size_t)(eq - name));
		vlen = decode(value, value, (size_t)(pair_end - value));
		if (nlen <= 0 || vlen < 0) {
			rc = VG_INVAL;
			goto out;
		}
		if ((size_t)nlen > FORM_NAME_MAX || text_check_line(name, (size_t)nlen, FORM_NAME_MAX)) {
			rc = VG_TOOBIG;
			goto out;
		}
		if (text_check(value, (size_t)vlen, (size_t)vlen)) {
			note_field(f, name);
			rc = VG_UTF8;
			goto out;
		}
		for (i = 0; !form_is_list(name) && i < f->count; i++) {
			if (!strcmp(f->fields[i].name, name)) {
				note_field(f, name);
				rc = VG_INVAL;
				goto out;
			}
		}
		if (f->count == FORM_MAX_FIELDS) {
			rc = VG_TOOBIG;
			goto out;
		}
		f->fields[f->count].name = name;
		f->fields[f->count].value = value;
		f->fields[f->count].len = (size_t)vlen;
		f->count++;
	}
out:
	if (rc) {
		char keep[sizeof(f->error_field)];

		memcpy(keep, f->error_field, sizeof(keep));
		form_release(f);
		memcpy(f->error_field, keep, sizeof(keep));
	}
	return rc;
}

int form_is_list(const char *name)
{
	size_t n = strlen(name);

	return n > 2 && !strcmp(name + n - 2, "[]");
}

const char *form_get(const struct form *f, const char *name, size_t *len)
{
	size_t i;

	for (i = 0; i < f->count; i++) {
		if (!strcmp(f->fields[i].name, name)) {
			if (len)
				*len = f->fields[i].len;
			return f->fields[i].value;
		}
	}
	return NULL;
}
