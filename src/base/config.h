/*
 * config.h - settings read from <data>/vigil.conf (INI, parsed by inih).
 *
 * Every setting has a safe default, so a missing file is not an error; an
 * unknown section or key, or a value out of range, is (VG_CONFIG with the
 * line number logged), because a typo in a security setting must not be
 * silently ignored. `vigil init` writes a commented file with the defaults.
 */
#ifndef VIGIL_CONFIG_H
#define VIGIL_CONFIG_H

#include <limits.h>
#include <stdint.h>

#define CONFIG_PATH_MAX 1024

struct config {
	char data_dir[CONFIG_PATH_MAX];
	char database[CONFIG_PATH_MAX];  /* resolved against data_dir */
	char key_file[CONFIG_PATH_MAX];  /* resolved against data_dir */
	char listen[128];                /* HOST:PORT */
	unsigned threads;                /* HTTP worker threads */
	int behind_tls;                  /* adds Secure to cookies */
	char quick_exit_url[256];        /* where "Quick exit" leads */
	int64_t idle_timeout;            /* staff session idle seconds */
	int64_t session_max_age;         /* staff session absolute seconds */
	int64_t body_max;                /* largest request body, bytes */
	unsigned connection_timeout;     /* seconds a connection may idle */
	unsigned connection_max;         /* open connections, all clients together */
	int64_t receipt_window;          /* failed-lookup window, seconds */
	int64_t receipt_free_failures;   /* failures per window before delays */
	int64_t receipt_max_delay_ms;    /* cap on the added delay */
	int64_t submit_window;           /* global tip-submission window, seconds */
	int64_t submit_max;              /* tips accepted per window, all clients */
	char rules_dir[CONFIG_PATH_MAX]; /* screening rules: typology.tsv, indicators/ */
	int framework_palermo;           /* 1: the UN Palermo Protocol decides status; 0: the US TVPA */
	char default_country[3];         /* for phone numbers written without a country code */
	int64_t retention_closed_days;   /* closed cases are purged this many days after closing */
	int totp_admin_required;         /* [auth] totp_admin = required: admins must use TOTP */
};

/* Fills c with the defaults for data directory dir. */
int config_defaults(struct config *c, const char *dir);

/*
 * Defaults, then <dir>/vigil.conf when it exists. VG_CONFIG on a bad file.
 * *out is set only on success.
 */
int config_load(const char *dir, struct config *out);

/* The text `vigil init` writes as vigil.conf: every key, commented. */
const char *config_template(void);

#endif
