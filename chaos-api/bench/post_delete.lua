-- wrk script: POST an experiment, then DELETE it, alternating on each connection.
-- One connection with a 10 ms pause between requests ≈ 50 POST+DELETE pairs/s:
--   wrk -t1 -c1 -d20s --latency -s chaos-api/bench/post_delete.lua http://127.0.0.1:8008
-- (latency figures mix POST and DELETE; post_delete_latency.py separates them)
local body = os.getenv("BODY") or '{"type":"nats_latency","delay_ms":1,"duration_s":60}'
local id = nil
local created, deleted, other = 0, 0, 0

request = function()
  if id then
    local path = "/experiments/" .. id
    id = nil
    return wrk.format("DELETE", path)
  end
  return wrk.format("POST", "/experiments", {["Content-Type"] = "application/json"}, body)
end

delay = function()
  return 10
end

response = function(status, headers, resp)
  if status == 201 then
    id = resp:match('"experiment_id":"([^"]+)"')
    created = created + 1
  elseif status == 200 then
    deleted = deleted + 1
  else
    other = other + 1
    print("unexpected " .. status .. ": " .. resp:sub(1, 200))
  end
end

done = function(summary, latency, requests)
  io.write(string.format("requests %d (non-2xx counted by wrk: %d)\n", summary.requests, summary.errors.status))
end
