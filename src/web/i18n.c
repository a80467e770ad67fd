#include "base/compat.h"
#include "web/i18n.h"
#include "base/log.h"

#include <libintl.h>
#include <locale.h>
#include <strings.h>

static const struct {
	const char *code, *name, *locale;
} langs[LANG_COUNT] = {
	[LANG_EN] = {"en", "English", "en_US.UTF-8"},
	[LANG_ES] = {"es", "Español", "es_ES.UTF-8"},
};

static locale_t locales[LANG_COUNT];

int i18n_init(const char *localedir)
{
	int i;

	if (!bindtextdomain("vigil", localedir) ||
	    !bind_textdomain_codeset("vigil", "UTF-8") ||
	    !bind_textdomain_codeset("iso_3166-1", "UTF-8"))
		return VG_NOMEM;
	for (i = 0; i < LANG_COUNT; i++) {
		if (locales[i])
			continue;
		locales[i] = newlocale(LC_ALL_MASK, langs[i].locale, (locale_t)0);
		if (!locales[i]) {
			log_error("locale %s is missing (run tools/deps.sh)", langs[i].locale);
			return VG_CONFIG;
		}
	}
	return VG_OK;
}

void i18n_release(void)
{
	int i;

	for (i = 0; i < LANG_COUNT; i++) {
		if (locales[i])
			freelocale(locales[i]);
		locales[i] = (locale_t)0;
	}
}

int i18n_lang(const char *code)
{
	int i;

	for (i = 0; code && i < LANG_COUNT; i++)
		if (!strcmp(code, langs[i].code))
			return i;
	return -1;
}

const char *i18n_code(enum i18n_lang lang)
{
	return langs[lang].code;
}

const char *i18n_name(enum i18n_lang lang)
{
	return langs[lang].name;
}

enum i18n_lang i18n_negotiate(const char *al)
{
	/*
	 * Browsers list languages in preference order; the q-values they send
	 * follow that order, so the first supported primary tag wins.
	 */
	while (al && *al) {
		int i;

		while (*al == ' ' || *al == ',')
			al++;
		for (i = 0; i < LANG_COUNT; i++) {
			size_t n = strlen(langs[i].code);

			if (!strncasecmp(al, langs[i].code, n) &&
			    (al[n] == '\0' || al[n] == '-' || al[n] == ';' || al[n] == ','))
				return (enum i18n_lang)i;
		}
		al = strchr(al, ',');
	}
	return LANG_EN;
}

const char *i18n_dtr(enum i18n_lang lang, const char *domain, const char *msgid)
{
	locale_t old;
	const char *s;

	if (!locales[lang] || !msgid[0])
		return msgid;
	old = uselocale(locales[lang]);
	s = dgettext(domain, msgid);
	uselocale(old);
	return s;
}

const char *i18n_tr(enum i18n_lang lang, const char *msgid)
{
	return i18n_dtr(lang, "vigil", msgid);
}
