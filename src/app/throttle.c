#include "base/compat.h"
#include "app/throttle.h"
#include "base/clock.h"
#include "base/log.h"

#include <pthread.h>

int64_t throttle_receipt_delay(const struct config *cfg, int64_t failures)
{
	int64_t over = failures - cfg->receipt_free_failures;
	int64_t delay = 100;

	if (over <= 0)
		return 0;
	while (--over > 0 && delay < cfg->receipt_max_delay_ms)
		delay *= 2;
	return delay < cfg->receipt_max_delay_ms ? delay : cfg->receipt_max_delay_ms;
}

void throttle_receipt_wait(struct app *app)
{
	int64_t failures = 0, delay;

	if (store_throttle_peek(app->store, "receipt", clock_now(),
				app->cfg.receipt_window, &failures))
		return;
	delay = throttle_receipt_delay(&app->cfg, failures);
	if (delay)
		clock_sleep_until_ms(clock_mono_ms() + delay);
}

void throttle_receipt_failed(struct app *app)
{
	int64_t count;
	int rc = store_throttle_hit(app->store, "receipt", clock_now(),
				    app->cfg.receipt_window, &count);

	if (rc)
		log_warn("cannot count a failed receipt lookup: %s", vg_strerror(rc));
}

static pthread_mutex_t submit_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t submit_window_start;
static int64_t submit_count;

int throttle_submit(struct app *app)
{
	int64_t now = clock_now();
	int64_t window = now - now % app->cfg.submit_window;
	int rc = VG_OK;

	pthread_mutex_lock(&submit_lock);
	if (window != submit_window_start) {
		submit_window_start = window;
		submit_count = 0;
	}
	if (submit_count >= app->cfg.submit_max)
		rc = VG_THROTTLED;
	else
		submit_count++;
	pthread_mutex_unlock(&submit_lock);
	return rc;
}
