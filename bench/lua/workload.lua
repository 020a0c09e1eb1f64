-- The wrk side of every HTTP workload, chosen by environment variables:
--   BENCH_WORKLOAD  get | list | post | mix   (mix: 90% get, 10% post)
--   BENCH_UIDS      a file of task ids, one a line (get, mix)
--   BENCH_LIST_PATH the list request's path and query (list)
-- Each thread walks the ids from its own offset, so connections spread over
-- the whole data set instead of hammering one hot task.

local workload = os.getenv("BENCH_WORKLOAD") or "get"
local list_path = os.getenv("BENCH_LIST_PATH") or "/api/v1/tasks/"
local body = '{"title": "Benchmark create", "status": "todo", "priority": 1, "task_type": "chore"}'
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
  return wrk.format("POST", "/api/v1/tasks/", {["Content-Type"] = "application/json"}, body)
end

function request()
  if workload == "get" then
    return get_task()
  elseif workload == "list" then
    return wrk.format("GET", list_path)
  elseif workload == "post" then
    return post_task()
  else
    if math.random(10) == 1 then return post_task() end
    return get_task()
  end
end
