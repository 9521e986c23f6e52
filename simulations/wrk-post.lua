-- POST a valid signal with a unique id per request, padded to ~4 KiB like the Gatling run.
local counter = 0
local pad = string.rep("x", 3900)
local tid = 0
function setup(thread) tid = tid + 1; thread:set("tid", tid) end
function init(args) counter = 0 end
request = function()
  counter = counter + 1
  local body = string.format('{"id":"wrk-%d-%d-%d","symbol":"BTCUSD","side":"buy","price":101.5,"quantity":2,"seq":%d,"sent_at":"2026-11-26T00:00:00Z","pad":"%s"}', os.time(), tid, counter, counter, pad)
  return wrk.format("POST", nil, {["Content-Type"]="application/json"}, body)
end
