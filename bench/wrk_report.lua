-- wrk script for bench/load.py: prints one line "WRK_JSON {...}" with the latency percentiles (µs),
-- the request count, the run's duration and the responses that were not 2xx, summed over threads.
-- With WRK_PATHS=<file> set, every request takes a random path from that file (one per line).

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
   table.insert(threads, thread)
end

function init(args)
   non2xx = 0
   paths = nil
   local file = os.getenv("WRK_PATHS")
   if file and file ~= "" then
      paths = {}
      for line in io.lines(file) do
         if line ~= "" then
            table.insert(paths, line)
         end
      end
   end
   math.randomseed(os.time() * 100 + id)
end

function request()
   if paths then
      return wrk.format("GET", paths[math.random(#paths)])
   end
   return wrk.format("GET")
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
   end
end

function done(summary, latency, requests)
   local bad = 0
   for _, thread in ipairs(threads) do
      bad = bad + (thread:get("non2xx") or 0)
   end
   local e = summary.errors
   io.write(string.format(
      'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
      '"mean_us": %.1f, "max_us": %d, "non2xx": %d, "connect_errors": %d, "read_errors": %d, ' ..
      '"write_errors": %d, "timeouts": %d}\n',
      summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(95),
      latency:percentile(99), latency.mean, latency.max, bad, e.connect, e.read, e.write, e.timeout))
end
