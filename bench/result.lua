-- result.lua - the RESULT line that bench/intake/tip.lua and bench/load/get.lua
-- print at the end of a wrk run, which their run scripts read. Loaded with
-- dofile() from the repository root, where those scripts run wrk.
--
-- print_result(summary, latency, bad_name, bad) writes one line
--   RESULT {"requests":..., "rate":..., "p50_ms":..., "p99_ms":..., <bad_name>:..., ...}
-- with wrk's summary times, which are microseconds, in milliseconds.
function print_result(summary, latency, bad_name, bad)
	local e = summary.errors
	local seconds = summary.duration / 1e6
	io.write(string.format('RESULT {"requests":%d,"seconds":%.3f,"rate":%.1f,' ..
		'"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"%s":%d,' ..
		'"connect_errors":%d,"read_errors":%d,"write_errors":%d,' ..
		'"timeouts":%d,"status_errors":%d,"bytes":%d}\n',
		summary.requests, seconds, summary.requests / seconds,
		latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
		latency.max / 1e3, bad_name, bad, e.connect, e.read, e.write, e.timeout,
		e.status, summary.bytes))
end
