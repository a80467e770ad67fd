#include "base/compat.h"
#include "site/evidence.h"

#define EVIDENCE_SPANS_MAX 512

const char *evidence_status_label(const char *status)
{
	if (!strcmp(status, "likely"))
		return N_("Likely trafficking");
	if (!strcmp(status, "possible"))
		return N_("Possible trafficking");
	if (!strcmp(status, "not_indicated"))
		return N_("Not indicated");
	return N_("Not screened");
}

const char *evidence_urgency_label(const char *urgency)
{
	if (!strcmp(urgency, "crisis"))
		return N_("Crisis: respond within 24 hours");
	if (!strcmp(urgency, "priority"))
		return N_("Priority");
	if (!strcmp(urgency, "routine"))
		return N_("Routine");
	return N_("Not screened");
}

const char *evidence_kind_label(const char *kind)
{
	if (!strcmp(kind, "sex"))
		return N_("Sex trafficking");
	if (!strcmp(kind, "labor"))
		return N_("Labor trafficking");
	return kind;
}

struct span {
	size_t start, end;
	const char *category;
};

static int by_start(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start ? 1 :
	       x->end < y->end ? -1 : x->end > y->end;
}

/* Moves off to the start of the UTF-8 character it falls in. */
static size_t char_start(const char *s, size_t off)
{
	while (off > 0 && ((unsigned char)s[off] & 0xc0) == 0x80)
		off--;
	return off;
}

static int add_part(json_t *parts, const char *text, size_t a, size_t b,
		    const char *categories)
{
	json_t *part;

	if (a >= b)
		return VG_OK;
	part = json_pack("{s:s%, s:b, s:s}", "text", text + a, b - a,
			 "mark", categories != NULL, "categories", categories ? categories : "");
	return json_array_append_new(parts, part) ? VG_NOMEM : VG_OK;
}

json_t *evidence_parts(const char *narrative, json_t *screening)
{
	struct span spans[EVIDENCE_SPANS_MAX];
	size_t n = 0, i, pos = 0, len = strlen(narrative);
	json_t *parts = json_array(), *ind;

	json_array_foreach(json_object_get(screening, "indicators"), i, ind) {
		json_t *span = json_object_get(ind, "span");
		json_int_t a = json_integer_value(json_array_get(span, 0));
		json_int_t b = json_integer_value(json_array_get(span, 1));

		if (n == EVIDENCE_SPANS_MAX || a < 0 || b <= a || (size_t)a >= len)
			continue;
		spans[n].start = char_start(narrative, (size_t)a);
		spans[n].end = (size_t)b > len ? len : char_start(narrative, (size_t)b);
		spans[n].category = json_string_value(json_object_get(ind, "category"));
		if (spans[n].end > spans[n].start && spans[n].category)
			n++;
	}
	qsort(spans, n, sizeof(*spans), by_start);
	for (i = 0; parts && i < n;) {
		size_t start = spans[i].start, end = spans[i].end;
		struct buf cats;

		buf_init(&cats, 1024);
		/* Overlapping spans are one mark that names every category. */
		for (; i < n && spans[i].start < end; i++) {
			if (spans[i].end > end)
				end = spans[i].end;
			if (!strstr(buf_str(&cats), spans[i].category))
				buf_addf(&cats, "%s%s", cats.len ? ", " : "", spans[i].category);
		}
		if (start < pos)
			start = pos;
		if (add_part(parts, narrative, pos, start, NULL) ||
		    add_part(parts, narrative, start, end, buf_str(&cats))) {
			json_decref(parts);
			parts = NULL;
		}
		buf_release(&cats);
		pos = end > pos ? end : pos;
	}
	if (parts && add_part(parts, narrative, pos, len, NULL)) {
		json_decref(parts);
		parts = NULL;
	}
	return parts;
}

static json_t *labels(struct reqctx *c, json_t *arr, const char *(*label)(const char *))
{
	json_t *out = json_array(), *v;
	size_t i;

	json_array_foreach(arr, i, v)
		if (json_is_string(v))
			json_array_append_new(out, json_string(label ?
				page_tr(c, label(json_string_value(v))) : json_string_value(v)));
	return out;
}

/* Entities as strings: amounts and ages may be numbers or objects. */
static json_t *entity_strings(json_t *arr)
{
	json_t *out = json_array(), *v;
	size_t i;

	json_array_foreach(arr, i, v) {
		char *s = json_is_string(v) ? strdup(json_string_value(v)) :
			  json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

		if (s)
			json_array_append_new(out, json_string(s));
		free(s);
	}
	return out;
}

/* The string value of obj[key], or "" when absent. */
static const char *str(json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));

	return v ? v : "";
}

json_t *evidence_view(struct reqctx *c, json_t *screening)
{
	json_t *v, *elements, *frameworks, *entities, *ents, *evidence, *ind;
	static const char *const entity_kinds[] = {"phones", "emails", "urls", "handles", "ages", "money"};
	const char *status, *urgency;
	json_t *purpose;
	size_t i;

	if (!json_is_object(screening))
		return NULL;
	status = str(screening, "status");
	urgency = str(screening, "urgency");
	frameworks = json_object_get(screening, "frameworks");
	elements = json_object_get(screening, "elements");
	purpose = json_object_get(elements, "purpose");
	v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:o, s:b}",
		"status", status,
		"status_label", page_tr(c, evidence_status_label(status)),
		"tvpa_label", page_tr(c, evidence_status_label(str(frameworks, "tvpa"))),
		"palermo_label", page_tr(c, evidence_status_label(str(frameworks, "palermo"))),
		"urgency", urgency,
		"urgency_label", page_tr(c, evidence_urgency_label(urgency)),
		"act", json_is_true(json_object_get(elements, "act")),
		"means", json_is_true(json_object_get(elements, "means")),
		"minor", json_is_true(json_object_get(elements, "minor")),
		"labor_exploitation", json_is_true(json_object_get(screening, "labor_exploitation")),
		"purpose", json_is_array(purpose) ? json_incref(purpose) : json_array(),
		"crisis", !strcmp(urgency, "crisis"));
	if (!v)
		return NULL;
	json_object_set_new(v, "kinds", labels(c, json_object_get(screening, "kinds"), evidence_kind_label));
	json_object_set_new(v, "typology", labels(c, json_object_get(screening, "typology"), NULL));
	evidence = json_array();
	json_array_foreach(json_object_get(screening, "indicators"), i, ind)
		json_array_append_new(evidence, json_pack("{s:O?, s:O?, s:O?}",
			"quote", json_object_get(ind, "quote"),
			"category", json_object_get(ind, "category"),
			"id", json_object_get(ind, "id")));
	json_object_set_new(v, "has_indicators", json_boolean(json_array_size(evidence)));
	json_object_set_new(v, "indicators", evidence);
	entities = json_object_get(screening, "entities");
	ents = json_array();
	for (i = 0; i < ARRAY_SIZE(entity_kinds); i++) {
		json_t *list = entity_strings(json_object_get(entities, entity_kinds[i]));

		if (json_array_size(list))
			json_array_append_new(ents, json_pack("{s:s, s:o}", "kind", entity_kinds[i],
				"values", list));
		else
			json_decref(list);
	}
	json_object_set_new(v, "has_entities", json_boolean(json_array_size(ents)));
	json_object_set_new(v, "entities", ents);
	return v;
}
