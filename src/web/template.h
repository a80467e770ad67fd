/*
 * template.h - HTML templates with escaping by default.
 *
 * A small Mustache-like language; the data is a jansson object, so the same
 * json_t a handler builds for the API can be rendered as HTML.
 *
 *   {{name}}  {{a.b}}   the value, HTML-escaped (& < > " ' and `). Strings as
 *                       they are, integers and reals in decimal, true/false
 *                       as "true"/"false", null or missing as nothing.
 *   {{.}}               the current item inside a section.
 *   {{#name}}...{{/name}}  an array: the body once per element, with the
 *                       element as the innermost scope; an object: once, with
 *                       it as scope; true, a non-empty string, a non-zero
 *                       number: once; false, null, "", 0, [] or missing: never.
 *   {{^name}}...{{/name}}  the body once when {{#name}} would not render.
 *   {{>name}}           another template of the set, with the same scope.
 *   {{_ Some text}}     Some text translated by the set's translator, escaped.
 *   {{! comment}}       nothing.
 *
 * There is no way to emit a value unescaped: a template cannot be made to
 * inject HTML from data. Names are looked up from the innermost scope out.
 * A malformed template (unclosed tag or section, unknown partial) is an
 * error when the set is loaded, not when a page is rendered.
 */
#ifndef VIGIL_TEMPLATE_H
#define VIGIL_TEMPLATE_H

#include <jansson.h>

#include "base/buf.h"
#include "base/embedded.h"

struct tpl_set;

/* Translates msgid for the current request; returns msgid when unknown. */
typedef const char *(*tpl_translate_fn)(void *arg, const char *msgid);

/*
 * Parses every file in `files` (an embedded table, e.g. embedded_templates;
 * the template's name is its file name without ".html"). VG_INVAL on a
 * malformed template, with the file and line logged.
 */
int tpl_set_load(const struct embedded_file *files, struct tpl_set **out);
void tpl_set_free(struct tpl_set *set);

/*
 * Renders template `name` with `data` as the outermost scope, appending to
 * out. tr may be NULL (then {{_ text}} renders text). VG_NOTFOUND for an
 * unknown template, VG_TOOBIG when out's limit is reached.
 */
int tpl_render(const struct tpl_set *set, const char *name, json_t *data,
	       tpl_translate_fn tr, void *tr_arg, struct buf *out);

/* Appends s HTML-escaped to out. */
int tpl_escape(struct buf *out, const char *s, size_t len);

#endif
