-- The wrk side of every HTTP workload, chosen by environment variables:
--   BENCH_WORKLOAD  get | list | post | mix | bulk
--                   (mix: 90% get, 10% post; bulk: POST /api/v1/tasks/bulk
--                   with BENCH_BULK_SIZE tasks a request)
--   BENCH_UIDS      a file of task ids, one a line (get, mix)
--   BENCH_LIST_PATH the list request's path and query (list)
--   BENCH_PROJECT   the project every created task joins (post, mix, bulk);
--                   none when unset
--   BENCH_BULK_SIZE tasks per bulk request (1000, the route's maximum)
--   relink          PATCH BENCH_RELINK_TASK, its blockers alternately
--                   [BENCH_RELINK_BLOCKER] and [] (each request changes the
--                   task; the first of each pair runs the cycle check)
-- Each thread walks the ids from its own offset, so connections spread over
-- the whole data set instead of hammering one hot task.

local workload = os.getenv("BENCH_WORKLOAD") or "get"
local list_path = os.getenv("BENCH_LIST_PATH") or "/api/v1/tasks/"
local project = os.getenv("BENCH_PROJECT")
local bulk_size = tonumber(os.getenv("BENCH_BULK_SIZE") or "1000")
local relink_task = os.getenv("BENCH_RELINK_TASK")
local relink_blocker = os.getenv("BENCH_RELINK_BLOCKER")
local relinks = 0
-- One create: the same fields for every contender, and for the raw-driver
-- write contender (benches/src/bin/trm-bench-driver.rs, workload post).
local task = '{"title": "Benchmark create", "status": "todo", "priority": 1, "task_type": "chore"'
if project ~= nil and #project > 0 then
  task = task .. ', "project_id": "' .. project .. '"'
end
task = task .. '}'
local json = {["Content-Type"] = "application/json"}
local bulk_body = nil
if workload == "bulk" then
  local items = {}
  for i = 1, bulk_size do items[i] = task end
  bulk_body = '{"tasks": [' .. table.concat(items, ", ") .. ']}'
end
local uids = {}
local counter = 0
local next_thread = 0

local function load_uids()
  local path = os.getenv("BENCH_UIDS")
  if path == nil then return end
  for line in io.lines(path) do
    if #line > 0 then uids[#uids + 1] = line end
  end
end

load_uids()

function setup(thread)
  thread:set("counter", next_thread * 7919)
  next_thread = next_thread + 1
end

function init(args)
  math.randomseed(counter + 1)
end

local function get_task()
  counter = counter + 1
  local uid = uids[(counter % #uids) + 1]
  return wrk.format("GET", "/api/v1/tasks/" .. uid)
end

local function post_task()
  return wrk.format("POST", "/api/v1/tasks/", json, task)
end

function request()
  if workload == "get" then
    return get_task()
  elseif workload == "list" then
    return wrk.format("GET", list_path)
  elseif workload == "post" then
    return post_task()
  elseif workload == "relink" then
    relinks = relinks + 1
    local blockers = '[]'
    if relinks % 2 == 1 then blockers = '["' .. relink_blocker .. '"]' end
    return wrk.format("PATCH", "/api/v1/tasks/" .. relink_task, json, '{"blocked_by": ' .. blockers .. '}')
  elseif workload == "bulk" then
    return wrk.format("POST", "/api/v1/tasks/bulk", json, bulk_body)
  else
    if math.random(10) == 1 then return post_task() end
    return get_task()
  end
end
