-- tip.lua - the wrk script of bench/intake: every request submits one tip
-- through POST /api/v1/tips, as a reporter's app would.
--
-- The narrative is VIGIL_BENCH_NARRATIVE bytes long (600 unless set) and
-- ends in the wrk thread's number and a per-thread counter, so no two tips
-- are the same but all have the same size; bench/intake/sqlite_ref inserts
-- rows of exactly those sizes. The contact is a 555-01xx number.
--
-- Any answer other than 201 is counted, and done() prints one line
--   RESULT {"requests":..., "rate":..., "p50_ms":..., "p99_ms":..., "non_201":..., ...}
-- that bench/intake/run reads; wrk's own report is printed before it.

local narrative_bytes = tonumber(os.getenv("VIGIL_BENCH_NARRATIVE") or "600")
local filler = "I saw four young women being brought to the nail salon on Grand " ..
	"Avenue early every morning in the same white van, and they leave with " ..
	"the manager late at night. They never seem to have their own phones " ..
	"and one of them told a customer she owes money for her travel here. "
local threads = {}

-- The narrative without its counter: the filler repeated to the length.
local function base_text(len)
	local s = filler
	while #s < len do
		s = s .. filler
	end
	return s:sub(1, len)
end

-- Runs in the main Lua state once per wrk thread, before init().
function setup(thread)
	thread:set("thread_no", #threads)
	table.insert(threads, thread)
end

-- Runs in each thread's own Lua state; globals here are per thread.
function init(args)
	sent = 0
	non_201 = 0
	prefix = base_text(narrative_bytes - 14)
end

function request()
	sent = sent + 1
	-- 14 bytes: " [", 2 digits, "-", 8 digits, "]".
	local narrative = prefix .. string.format(" [%02d-%08d]", thread_no % 100,
		sent % 100000000)
	local body = '{"narrative":"' .. narrative .. '",' ..
		'"location":{"country":"US","region":"CA","city":"Oakland"},' ..
		'"danger_now":false,"contact":"555-0142"}'
	return wrk.format("POST", "/api/v1/tips",
		{["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
	if status ~= 201 then
		non_201 = non_201 + 1
		if non_201 == 1 then
			io.stderr:write("tip.lua: first non-201 answer: " .. status ..
				" " .. body .. "\n")
		end
	end
end

dofile("bench/result.lua")

-- Runs in the main state after the run.
function done(summary, latency, requests)
	local bad = 0
	for _, t in ipairs(threads) do
		bad = bad + t:get("non_201")
	end
	print_result(summary, latency, "non_201", bad)
end
