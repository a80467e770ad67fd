/*
 * throttle.h - slowing down abuse without knowing who the client is.
 *
 * vigil keeps no client address, so limits are global. Failed receipt
 * lookups are counted in the store (shared by every server process): past
 * the configured number of failures in a window, every lookup waits first,
 * doubling with each further failure up to a cap. Tip submissions are
 * counted in memory per process: that limit sheds load to protect this
 * process and needs no fsync on the hot path.
 */
#ifndef VIGIL_THROTTLE_H
#define VIGIL_THROTTLE_H

#include "app/app.h"

/* Sleeps as long as the current failure count asks for. */
void throttle_receipt_wait(struct app *app);

/* Counts one failed receipt lookup. */
void throttle_receipt_failed(struct app *app);

/* The delay, in milliseconds, for `failures` failures in the window. */
int64_t throttle_receipt_delay(const struct config *cfg, int64_t failures);

/* VG_OK to accept one more tip now, VG_THROTTLED when the window is full. */
int throttle_submit(struct app *app);

#endif
