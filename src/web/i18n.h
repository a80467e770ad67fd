/*
 * i18n.h - the languages of the public site and staff console.
 *
 * Catalogs are GNU gettext .mo files (text domain "vigil"); a request's
 * language is applied with uselocale() around each lookup, so threads serving
 * different languages do not disturb each other. Country and region names
 * come translated from the iso-codes package's own catalogs.
 */
#ifndef VIGIL_I18N_H
#define VIGIL_I18N_H

enum i18n_lang { LANG_EN, LANG_ES, LANG_COUNT };

/*
 * Binds the "vigil" domain to localedir and opens a locale per language.
 * VG_CONFIG when a locale is missing (tools/deps.sh generates them).
 */
int i18n_init(const char *localedir);
void i18n_release(void);

/* The language for a code ("en", "es"), or -1. */
int i18n_lang(const char *code);
const char *i18n_code(enum i18n_lang lang);
/* The language's name in itself ("English", "Español"). */
const char *i18n_name(enum i18n_lang lang);

/* The best supported language in an Accept-Language value; LANG_EN by default. */
enum i18n_lang i18n_negotiate(const char *accept_language);

/* msgid translated into lang from the "vigil" domain, or msgid itself. */
const char *i18n_tr(enum i18n_lang lang, const char *msgid);
/* The same from another text domain, e.g. "iso_3166-1". */
const char *i18n_dtr(enum i18n_lang lang, const char *domain, const char *msgid);

/* Marks a string for extraction without translating it where it stands. */
#define N_(s) (s)

#endif
