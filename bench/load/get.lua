-- get.lua - the wrk script of bench/load: every request GETs wrk's URL, with
-- "Authorization: Bearer $VIGIL_BENCH_TOKEN" when that is set (the staff API).
--
-- Any answer other than 200 is counted, and done() prints one line
--   RESULT {"requests":..., "rate":..., "p50_ms":..., "p99_ms":..., "non_200":..., ...}
-- that bench/load/run reads; wrk's own report is printed before it.

local token = os.getenv("VIGIL_BENCH_TOKEN")
local threads = {}

-- Runs in the main Lua state once per wrk thread, before init().
function setup(thread)
	table.insert(threads, thread)
end

-- Runs in each thread's own Lua state; globals here are per thread.
function init(args)
	non_200 = 0
	if token and token ~= "" then
		wrk.headers["Authorization"] = "Bearer " .. token
	end
end

function response(status, headers, body)
	if status ~= 200 then
		non_200 = non_200 + 1
		if non_200 == 1 then
			io.stderr:write("get.lua: first non-200 answer: " .. status .. "\n")
		end
	end
end

dofile("bench/result.lua")

-- Runs in the main state after the run.
function done(summary, latency, requests)
	local bad = 0
	for _, t in ipairs(threads) do
		bad = bad + t:get("non_200")
	end
	print_result(summary, latency, "non_200", bad)
end
