#include "base/compat.h"
#include "site/help.h"
#include "base/clock.h"
#include "directory/directory.h"

/* A link for each channel of one kind: tel:, sms:, mailto: or the URL itself. */
static json_t *channel_links(const struct directory_entry *e, enum directory_channel_kind kind,
			     const char *scheme)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < e->nchannels; i++) {
		const struct directory_channel *ch = &e->channels[i];
		char href[512];

		if (ch->kind != kind && !(kind == DIR_CH_PHONE && ch->kind == DIR_CH_SHORT))
			continue;
		snprintf(href, sizeof(href), "%s%s", scheme, ch->value);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "href", href,
			"written", ch->written, "note", ch->note));
	}
	return arr;
}

static json_t *line_json(struct reqctx *c, const struct directory_hit *h)
{
	const struct directory_entry *e = h->entry;
	char langs[256] = "";
	size_t i, off = 0;

	for (i = 0; i < e->nlanguages && off < sizeof(langs); i++) {
		int n = snprintf(langs + off, sizeof(langs) - off, "%s%s", i ? ", " : "",
				 strcmp(e->languages[i], "*") ? e->languages[i] :
				 page_tr(c, N_("many languages")));

		if (n < 0)
			break;
		off += (size_t)n;
	}
	return json_pack("{s:s, s:s, s:b, s:b, s:b, s:b, s:s, s:s, s:s, s:o, s:o, s:o, s:o}",
		"id", e->id, "name", e->name,
		"emergency", (e->services & (1u << DIR_SVC_EMERGENCY)) != 0,
		"open_now", h->state == HOURS_OPEN, "closed_now", h->state == HOURS_CLOSED,
		"hours_unknown", h->state == HOURS_UNKNOWN,
		"hours", e->hours.kind == HOURS_ALWAYS ? page_tr(c, N_("24 hours a day, every day")) :
			 e->hours_text,
		"zone", e->hours.kind == HOURS_WEEKLY ? e->hours.zone : "",
		"languages", langs,
		"phones", channel_links(e, DIR_CH_PHONE, "tel:"),
		"texts", channel_links(e, DIR_CH_TEXT, "sms:"),
		"emails", channel_links(e, DIR_CH_EMAIL, "mailto:"),
		"webs", channel_links(e, DIR_CH_WEB, ""));
}

json_t *help_lines(struct reqctx *c, const char *country, const char *region, size_t limit)
{
	struct directory_query q = { .country = country, .region = region, .service = -1,
				     .now = clock_now() };
	struct directory_hits hits;
	json_t *arr = json_array();
	size_t i;

	if (!arr || !c->app->helplines.directory || !country || !country[0])
		return arr;
	directory_hits_init(&hits);
	if (directory_query(c->app->helplines.directory, &q, &hits) == VG_OK)
		for (i = 0; i < hits.n && (!limit || i < limit); i++)
			json_array_append_new(arr, line_json(c, &hits.v[i]));
	directory_hits_release(&hits);
	return arr;
}

void help_add(struct reqctx *c, json_t *data, const char *key, const char *country,
	      size_t limit)
{
	const struct geo_country *gc = country && country[0] ? geo_country(c->app->geo, country) : NULL;

	if (!gc)
		gc = geo_country(c->app->geo, c->app->cfg.default_country);
	if (!data || !gc)
		return;
	json_object_set_new(data, key, json_pack("{s:s, s:s, s:o}", "country", gc->code,
		"country_name", i18n_dtr(c->lang, "iso_3166-1", gc->name),
		"lines", help_lines(c, gc->code, NULL, limit)));
}
