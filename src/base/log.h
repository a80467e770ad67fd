/*
 * log.h - one-line log messages to stderr.
 *
 * Nothing in vigil passes a client address or user agent here: the http
 * layer never exposes them to handlers, so they cannot be logged by mistake.
 */
#ifndef VIGIL_LOG_H
#define VIGIL_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
