-- wrk script for bench 2: replay a pool of pre-signed Twilio webhooks, each once.
-- Usage: wrk -t1 -c32 -d10s -s bench/wrk_pool.lua http://127.0.0.1:PORT -- pool.tsv
-- pool.tsv: one request a line, "<X-Twilio-Signature>\t<url-encoded body>".
-- With several threads, thread k sends lines k, k+T, k+2T... so no line is sent twice
-- unless the pool runs out (then it wraps; `done` reports how many were sent).

local pool = {}
local n = 0
local i = 0
local step = 1
local counter = 0

function setup(thread)
   thread:set("offset", counter)
   counter = counter + 1
end

function init(args)
   local path = args[1]
   local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
   for line in io.lines(path) do
      local sig, body = line:match("^([^\t]*)\t(.*)$")
      n = n + 1
      headers["X-Twilio-Signature"] = sig
      pool[n] = wrk.format("POST", "/sms/inbound", headers, body)
   end
   step = tonumber(args[2] or "1")
   i = (offset or 0)
end

function request()
   local r = pool[(i % n) + 1]
   i = i + step
   return r
end

function done(summary, latency, requests)
   io.write(string.format(
      '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
      '"status_errors": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, ' ..
      '"timeouts": %d}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      latency.max, summary.errors.status, summary.errors.connect, summary.errors.read,
      summary.errors.write, summary.errors.timeout))
end
