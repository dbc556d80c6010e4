-- wrk's request for bench/Invoke-ServerBench.ps1: tier-score updates (POST /v2/gamification/score)
-- over GS_USERS distinct users (default 10000), with an Idempotency-Key on every other request,
-- as real clients send them. GS_RUN names the run (users and keys are new in each run);
-- GS_KEY is the API key (from the environment, never the command line).
local key = os.getenv("GS_KEY") or "none"
local users = tonumber(os.getenv("GS_USERS") or "10000")
local run = os.getenv("GS_RUN") or tostring(os.time())
local n = 0

request = function()
  n = n + 1
  local body = string.format('{"userId":"wrk.%s.%d","metric":"tier","action":"gift_redeemed","value":%d}',
    run, n % users, 1 + n % 50)
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key }
  if n % 2 == 0 then headers["Idempotency-Key"] = run .. "-" .. n end
  return wrk.format("POST", "/v2/gamification/score", headers, body)
end
