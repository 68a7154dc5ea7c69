--[[ tmux-views for WezTerm: every tab its own view of a tmux session, and no view left behind.

  local wezterm = require 'wezterm'
  local config = wezterm.config_builder()
  local tv = wezterm.plugin.require 'https://github.com/OWNER/tmux-views'
  tv.apply_to_config(config, { restore = 'ask' })
  return config

Open a view in a new tab from a key:  { key = 'w', mods = 'LEADER', action = tv.action.spawn { session = 'work' } }
or from Lua:                          tv.spawn_tab(window, pane, { session = 'work', title = 'logs', icon = '📜' })
on another tmux server:               tv.action.spawn { session = 'notes', socket = 'my-workspace' }
LEADER|CTRL c sweeps now (set config.leader yourself). Call apply_to_config after setting config.keys.

The plugin runs the repository's compiled scripts (ROOT/dist/scripts/*.cjs): run `npm ci` in ROOT
once, and again after every update (the plugin's clone, see wezterm.plugin.list(), or your own
checkout given as opts.root). A dist/ built from another commit than the checkout's is refused.

Tab ids: WezTerm knows a tab's id only once the tab exists, so a spawn runs spawn-view first
(title and icon, no tab), opens the tab running `tmux attach -t $ID` itself, then writes the
new tab's id onto the view (@tmux-views-tab). Until then the view is protected by its claim.
WezTerm counts tab ids from 0 again after a restart, so the id written is "<tab id>.<instance>",
the instance being fixed for the life of this WezTerm process: tab 3 of one run never passes
for tab 3 of the next. Sweeps get the same ids in --live-tabs.

WezTerm's Lua has no `debug` library, and wezterm.GLOBAL holds only strings, numbers, booleans
and tables with string keys (or plain arrays): this file keeps to both.
]]
local wezterm = require 'wezterm'

-- Lua 5.4's require passes the loader data, the path of this file, as the chunk's second argument
-- (wezterm.plugin.require goes through require).
local _, THIS_FILE = ...

local M = { action = {} }

local DEFAULTS = {
  root = nil, -- the tmux-views checkout holding dist/ (default: the repository of this file)
  node = nil, -- absolute path of node (default: found in PATH and the usual places)
  tmux = nil, -- absolute path of tmux, also given to the scripts as TMUX_VIEWS_TMUX (found likewise)
  socket = nil, -- tmux -L NAME of tabs opened without their own socket; nil: the scripts' default server
  sweep_interval = 60, -- seconds between background sweeps (update-status ticks are throttled)
  change_delay = 3, -- when the set of tabs changed, sweep again after this many seconds
  keys = true, -- add LEADER|CTRL c (sweep now); false: add no key
  restore = false, -- at start-up, reopen the recorded tabs no running WezTerm shows: true, 'ask' or false
  timeout = 10, -- seconds any one tmux or script call may take before it is given up
}
local TYPES = { root = 'string', node = 'string', tmux = 'string', socket = 'string', sweep_interval = 'number',
  change_delay = 'number', keys = 'boolean', restore = 'boolean', timeout = 'number' }

local function exists(path)
  local f = io.open(path, 'r')
  if f then f:close() end
  return f ~= nil
end

local function read(path)
  local f = io.open(path, 'rb')
  if not f then return nil end
  local s = f:read 'a'
  f:close()
  return s
end

local warned = {} -- messages already logged by this Lua state: background passes log a problem once
local function log_once(message)
  if warned[message] then return end
  warned[message] = true
  wezterm.log_error('tmux-views: ' .. message)
end

local function complain(window, message)
  wezterm.log_error('tmux-views: ' .. message)
  if window then window:toast_notification('tmux-views', message, nil, 4000) end
end

-- ---- where things are ---------------------------------------------------------------------------

-- The checkout this file belongs to: from require's loader data, else the plugin whose URL names
-- tmux-views in wezterm.plugin.list() (e.g. when this file was copied and loaded another way).
local function plugin_root()
  local root = type(THIS_FILE) == 'string' and THIS_FILE:match '^(.*)[/\\]plugin[/\\]init%.lua$'
  if root then return root end
  local ok, plugins = pcall(wezterm.plugin.list)
  for _, p in ipairs(ok and plugins or {}) do
    local url = tostring(p.url):gsub('%.git/*$', ''):gsub('/+$', '')
    if url:match '[/:]tmux%-views$' then return p.plugin_dir end
  end
end

-- GUI apps on macOS get PATH=/usr/bin:/bin:/usr/sbin:/sbin, so look where node and tmux live.
local function find(name, fallback)
  local dirs = {}
  for dir in (os.getenv 'PATH' or ''):gmatch '[^:]+' do dirs[#dirs + 1] = dir end
  local home = wezterm.home_dir or os.getenv 'HOME' or ''
  for _, dir in ipairs { home .. '/.volta/bin', home .. '/.nix-profile/bin', '/run/current-system/sw/bin',
    '/opt/homebrew/bin', '/usr/local/bin', '/usr/bin', '/bin' } do
    dirs[#dirs + 1] = dir
  end
  for _, dir in ipairs(dirs) do
    if exists(dir .. '/' .. name) then return dir .. '/' .. name end
  end
  return fallback
end

-- ---- options --------------------------------------------------------------------------------------

-- A bad option is reported (WezTerm's log) and replaced by its default: it must not break the
-- config, nor any other plugin's handlers later.
local function validate(opts)
  local o, problems = {}, {}
  for k, v in pairs(DEFAULTS) do o[k] = v end
  if opts ~= nil and type(opts) ~= 'table' then
    problems[1] = 'apply_to_config(config, opts): opts must be a table, not a ' .. type(opts)
    opts = {}
  end
  for k, v in pairs(opts or {}) do
    local want = TYPES[k]
    if not want then
      problems[#problems + 1] = string.format('unknown option %s (known: %s)', tostring(k),
        'root, node, tmux, socket, sweep_interval, change_delay, keys, restore, timeout')
    elseif k == 'restore' and v == 'ask' then
      o.restore = 'ask'
    elseif type(v) ~= want or (want == 'number' and not (v > 0)) or (want == 'string' and v == '') then
      local what = ({ number = 'a number of seconds above 0', string = 'a non-empty string', boolean = 'true or false' })[want]
      if k == 'restore' then what = "true, false or 'ask'" end
      problems[#problems + 1] = string.format('option %s must be %s, not %s; using the default', k, what,
        type(v) == 'string' and string.format('%q', v) or tostring(v))
    else
      o[k] = v
    end
  end
  for _, p in ipairs(problems) do wezterm.log_error('tmux-views: ' .. p) end
  o.root = o.root or plugin_root()
  o.node = o.node or find('node', 'node')
  o.tmux = o.tmux or find('tmux', 'tmux')
  -- WezTerm has no timeout of its own for child processes: coreutils' timeout where there is one,
  -- else perl's alarm (macOS has perl but no timeout), so no call can hang a key or start-up.
  o.timeout_cmd = find 'timeout' or find 'gtimeout'
  o.perl = not o.timeout_cmd and find 'perl' or nil
  return o, problems
end

local settings -- the resolved opts, set by apply_to_config (or defaults at first use)
local function conf()
  settings = settings or validate()
  return settings
end

-- ---- state that outlives config reloads -----------------------------------------------------------

-- wezterm.GLOBAL outlives config reloads (not restarts). Reading it gives WezTerm's own objects,
-- so the state is copied into plain tables (through pairs, which both honour) and written back whole.
local function plain(v)
  if type(v) ~= 'table' and type(v) ~= 'userdata' then return v end
  local t = {}
  for k, x in pairs(v) do t[k] = plain(x) end
  return t
end

local function state()
  local s = plain(wezterm.GLOBAL.tmux_views) or {}
  s.sockets = s.sockets or {} -- tab id -> the tmux socket of the view it shows ('' for the default)
  if not s.instance then
    s.instance = string.format('%d%03d', os.time(), math.random(0, 999))
    wezterm.GLOBAL.tmux_views = s
  end
  return s
end

local function save(s)
  wezterm.GLOBAL.tmux_views = s
end

local function tab_key(tab)
  return tab:tab_id() .. '.' .. state().instance
end

-- The tabs WezTerm has now, as the ids sweep --live-tabs wants: sorted, comma-separated.
local function live_tabs()
  local ids = {}
  for _, window in ipairs(wezterm.mux.all_windows()) do
    for _, tab in ipairs(window:tabs()) do ids[#ids + 1] = tab:tab_id() end
  end
  table.sort(ids)
  local instance = state().instance
  for i, id in ipairs(ids) do ids[i] = id .. '.' .. instance end
  return table.concat(ids, ',')
end

-- ---- a stale build ---------------------------------------------------------------------------------

-- The commit the checkout is at, read from .git without git: HEAD, then its ref or packed-refs.
local function checkout_commit(root)
  local git = root .. '/.git'
  local pointer = (read(git) or ''):match '^gitdir: *([^\r\n]+)' -- a worktree: .git is a file
  if pointer then git = pointer:sub(1, 1) == '/' and pointer or root .. '/' .. pointer end
  local head = read(git .. '/HEAD')
  if not head then return nil end
  local ref = head:match '^ref: *([^\r\n]+)'
  if not ref then return head:match '^(%x+)' end
  local common = (read(git .. '/commondir') or ''):match '^([^\r\n]+)'
  for _, dir in ipairs { git, common and (common:sub(1, 1) == '/' and common or git .. '/' .. common) } do
    local sha = (read(dir .. '/' .. ref) or ''):match '^(%x+)'
    if sha then return sha end
    for line in (read(dir .. '/packed-refs') or ''):gmatch '[^\n]+' do
      local packed, name = line:match '^(%x+) (.+)$'
      if name == ref then return packed end
    end
  end
end

-- Why dist/ must not run, or nil. npm ci builds dist/ and writes dist/build.json with the commit;
-- wezterm.plugin.update_all() moves the checkout on but builds nothing.
local function stale_build(root)
  local head = checkout_commit(root)
  if not head then return nil end -- not a git checkout: nothing to compare
  local ok, build = pcall(wezterm.json_parse, read(root .. '/dist/build.json') or '')
  local built = ok and type(build) == 'table' and build.commit
  if not ok or type(build) ~= 'table' then
    return string.format('%s/dist/ has no build record (built by an older version): run npm ci in %s', root, root)
  end
  if type(built) == 'string' and built ~= head then
    return string.format('%s/dist/ was built from commit %s but the checkout is at %s: run npm ci in %s',
      root, built:sub(1, 12), head:sub(1, 12), root)
  end
end

-- ---- running things ---------------------------------------------------------------------------------

-- argv for a script: no shell anywhere, so no name is ever parsed as a command.
local function script(o, name, args, socket)
  if not o.root then return nil, 'cannot find the tmux-views checkout: set opts.root' end
  local file = o.root .. '/dist/scripts/' .. name .. '.cjs'
  if not exists(file) then
    return nil, string.format('%s is missing: run npm ci in %s (or set opts.root)', file, o.root)
  end
  local stale = stale_build(o.root)
  if stale then return nil, stale end
  local argv = { '/usr/bin/env', '-u', 'NODE_OPTIONS', 'TMUX_VIEWS_TMUX=' .. o.tmux, o.node, file }
  if socket and socket ~= '' then argv[#argv + 1] = '--socket=' .. socket end
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  return argv
end

local function tmux_argv(o, socket, args)
  local argv = { o.tmux }
  if socket and socket ~= '' then argv[2], argv[3] = '-L', socket end
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  return argv
end

-- argv with a deadline of `seconds` (WezTerm's child processes have none of their own).
local function bounded(o, argv, seconds)
  local limit = string.format('%g', seconds)
  if o.timeout_cmd then return { o.timeout_cmd, '-k', '2', limit, table.unpack(argv) } end
  if o.perl then return { o.perl, '-e', 'alarm shift; exec @ARGV or exit 127', limit, table.unpack(argv) } end
  return argv
end

-- wezterm.run_child_process with the timeout; it raises when argv[0] cannot be started.
local function run(o, argv)
  local limit = string.format('%g', o.timeout)
  local started = os.time()
  local called, ok, stdout, stderr = pcall(wezterm.run_child_process, bounded(o, argv, o.timeout))
  if not called then return false, '', 'cannot run ' .. tostring(argv[1]) .. ': ' .. tostring(ok) end
  if not ok and os.time() - started >= o.timeout then
    stderr = 'no answer within ' .. limit .. ' s'
  end
  return ok, stdout, stderr
end

-- Run a script and decode its JSON; nil and a one-line reason on failure. sweep exits 75 when it
-- skipped a busy server, with its JSON still on stdout.
local function run_json(o, name, args, socket)
  local argv, err = script(o, name, args, socket)
  if not argv then return nil, err end
  local ok, stdout, stderr = run(o, argv)
  local parsed, data = pcall(wezterm.json_parse, stdout or '')
  if parsed and type(data) == 'table' and (ok or type(data.skipped) == 'table') then return data end
  if not ok then
    local line = (stderr or ''):match '[^\n]+' or 'failed'
    return nil, line:sub(1, #name + 1) == name .. ':' and line or name .. ': ' .. line
  end
  return nil, name .. ': unreadable output: ' .. tostring(stdout)
end

local function text(v)
  return type(v) == 'string' and v ~= '' and v or nil
end

-- ---- opening tabs ---------------------------------------------------------------------------------

-- A view's session id ($N), the one target tmux cannot misread: it takes any target starting with
-- '$' for an id, even after '=', so a view named '$(x)-view-…' has no usable target by name.
local function session_id(o, socket, out)
  if out.id then return out.id end
  local ok, list = run(o, tmux_argv(o, socket, { 'list-sessions', '-F', '#{session_id} #{session_name}' }))
  for id, name in (ok and list or ''):gmatch '(%$%d+) ([^\n]*)' do
    if name == out.view then return id end
  end
end

-- Open a view of spec.session on spec.socket (or opts.socket) in a new tab of mux_window.
local function open(o, mux_window, spec)
  local socket = spec.socket or o.socket or ''
  local args = { '--print', '--json' }
  if spec.create then args[#args + 1] = '--create' end
  -- --flag=VALUE: a value starting with '-' must not read as a flag
  if text(spec.title) then args[#args + 1] = '--title=' .. spec.title end
  if text(spec.icon) then args[#args + 1] = '--icon=' .. spec.icon end
  args[#args + 1] = '--'
  args[#args + 1] = spec.session
  local out, err = run_json(o, 'spawn-view', args, socket)
  if not out then return nil, err end
  local id = session_id(o, socket, out)
  if not id then return nil, 'view ' .. tostring(out.view) .. ' went away' end
  -- The local domain: from an SSH or exec domain pane the tab would run tmux on the other host.
  -- No inherited TMUX: a WezTerm started from inside tmux would make tmux refuse to nest.
  local attach = {
    args = { '/usr/bin/env', '-u', 'TMUX', '-u', 'TMUX_PANE', table.unpack(tmux_argv(o, socket, { 'attach-session', '-t', id })) },
    domain = { DomainName = 'local' },
  }
  local ok, tab = pcall(mux_window.spawn_tab, mux_window, attach)
  if not ok then return nil, 'cannot open a tab: ' .. tostring(tab) end
  local label = text(spec.icon) and text(spec.title) and spec.icon .. ' ' .. spec.title or text(spec.icon) or text(spec.title)
  if label then tab:set_title(label) end
  local s = state()
  s.sockets[tab_key(tab)] = socket
  save(s)
  local marked, _, stderr = run(o, tmux_argv(o, socket, { 'set-option', '-t', id, '@tmux-views-tab', tab_key(tab) }))
  if not marked then return nil, 'cannot record the tab on ' .. out.view .. ': ' .. tostring(stderr) end
  return tab
end

local function check_spec(spec)
  if type(spec) == 'string' then spec = { session = spec } end
  if type(spec) ~= 'table' or not text(spec.session) then return nil, 'spawn_tab needs { session = NAME }' end
  if spec.socket ~= nil and not text(spec.socket) then return nil, 'spawn_tab: socket must be a non-empty string' end
  return spec
end

--- Open a view of spec.session ({ session, title?, icon?, create?, socket? } or a session name) in a new tab.
function M.spawn_tab(window, pane, spec)
  local checked, problem = check_spec(spec)
  if not checked then return complain(window, problem) end
  local tab, err = open(conf(), window:mux_window(), checked)
  if not tab then return complain(window, err) end
  return tab
end

function M.action.spawn(spec)
  return wezterm.action_callback(function(window, pane) M.spawn_tab(window, pane, spec) end)
end

-- ---- sweeping ---------------------------------------------------------------------------------------

-- The servers to sweep: opts.socket's, and the server of every live tab this plugin opened.
local function servers(o, s, live)
  local alive, list, seen = {}, {}, {}
  for id in live:gmatch '[^,]+' do alive[id] = true end
  for key in pairs(s.sockets) do
    if not alive[key] then s.sockets[key] = nil end
  end
  local function add(socket)
    if not seen[socket] then seen[socket], list[#list + 1] = true, socket end
  end
  add(o.socket or '')
  for _, socket in pairs(s.sockets) do add(socket) end
  table.sort(list)
  return list
end

local function sweep_args(by, live)
  return { '--json', '--by=' .. by, '--live-tabs=' .. live }
end

-- A background pass: one sweep per server, each run as `sh -c '"$@"; rm -f -- "$0"' MARKER ARGV…`.
-- The shell runs the argv it is given (no name is ever parsed) and removes the marker file when the
-- sweep ends, so the plugin knows the pass is over. At most one pass runs and one waits: a flood
-- of triggers (any pane can send the user var) costs one more pass, not one process each.
local PASS_LIMIT = 300 -- seconds after which a pass that never removed its markers counts as over

local function pass_running(s)
  if type(s.pass) ~= 'table' or os.time() - (s.pass.started or 0) > PASS_LIMIT then return false end
  for _, marker in pairs(s.pass.markers or {}) do
    if exists(marker) then return true end
  end
  return false
end

local function start_pass(o, s)
  local live = live_tabs()
  s.last_pass, s.tabs, s.queued = os.time(), live, false
  local markers = {}
  for i, socket in ipairs(servers(o, s, live)) do
    local argv, err = script(o, 'sweep', sweep_args('terminal', live), socket)
    if not argv then
      log_once(err)
      break
    end
    local marker = os.tmpname() -- made empty and private by Lua (mkstemp)
    -- a pass over one server may take six calls' time
    local ok, failed = pcall(wezterm.background_child_process,
      { '/bin/sh', '-c', '"$@"; rm -f -- "$0"', marker, table.unpack(bounded(o, argv, 6 * o.timeout)) })
    if ok then markers['m' .. i] = marker else
      os.remove(marker)
      log_once('cannot start a sweep: ' .. tostring(failed))
    end
  end
  s.pass = { started = os.time(), markers = markers }
end

local function request_pass(o)
  local s = state()
  if pass_running(s) then s.queued = true else start_pass(o, s) end
  save(s)
end

--- Sweep every server now and say how many views went (or that another pass is busy).
function M.sweep_now(window)
  local o = conf()
  local s = state()
  local live = live_tabs()
  s.last_pass, s.tabs = os.time(), live
  local removed, busy = 0, {}
  for _, socket in ipairs(servers(o, s, live)) do
    local out, err = run_json(o, 'sweep', sweep_args('manual', live), socket)
    if not out then
      save(s)
      return complain(window, err)
    end
    removed = removed + (type(out.removed) == 'table' and #out.removed or 0)
    for _, k in ipairs(type(out.skipped) == 'table' and out.skipped or {}) do
      busy[#busy + 1] = tostring(k.socket) .. ' (' .. tostring(k.reason) .. ')'
    end
  end
  save(s)
  local message = string.format('Cleaned up %d orphaned view session(s)', removed)
  if #busy > 0 then
    message = message .. '; busy, not swept: ' .. table.concat(busy, ', ') .. ': another sweep is working, try again'
  end
  wezterm.log_info('tmux-views: ' .. message)
  window:toast_notification('tmux-views', message, nil, 4000)
end

function M.action.sweep()
  return wezterm.action_callback(function(window) M.sweep_now(window) end)
end

-- ---- restore ----------------------------------------------------------------------------------------

-- The tab marks of the views some client shows on a server: those tabs are open somewhere.
local function shown_tabs(o, socket)
  local shown = {}
  local ok, out = run(o, tmux_argv(o, socket, { 'list-sessions', '-F', '#{session_attached} #{@tmux-views-tab}' }))
  for n, tab in (ok and out or ''):gmatch '(%d+) (%d+%.%d+)' do
    if n ~= '0' then shown[tab] = true end
  end
  return shown
end

-- The recorded tabs that no running WezTerm (or other client) shows, each with its server.
local function tabs_to_restore(o)
  local out, err = run_json(o, 'report', { '--tabs', '--json', '--all-sockets' })
  if not out then return nil, err end
  local todo, shown = {}, {}
  for _, t in ipairs(type(out.tabs) == 'table' and out.tabs or {}) do
    local socket = t.socket == 'default' and '' or tostring(t.socket)
    if socket:find '/' then
      wezterm.log_warn('tmux-views: restore: skipping tab ' .. tostring(t.tab) .. ' on ' .. socket .. ' (not a -L socket)')
    elseif text(t.parent) then
      shown[socket] = shown[socket] or shown_tabs(o, socket)
      if not shown[socket][t.tab] then
        local id, instance = tostring(t.tab):match '^(%d+)%.(%d+)$'
        todo[#todo + 1] = { session = t.parent, title = t.title, icon = t.icon, socket = socket,
          order = { tonumber(instance) or 0, tonumber(id) or 0 } }
      end
    end
  end
  -- In the order WezTerm opened them: passes over several servers write the record in any order.
  table.sort(todo, function(a, b)
    if a.order[1] ~= b.order[1] then return a.order[1] < b.order[1] end
    return a.order[2] < b.order[2]
  end)
  return todo
end

local function reopen(o, mux_window, todo)
  for _, spec in ipairs(todo) do
    local tab, err = open(o, mux_window, spec)
    if not tab then wezterm.log_error('tmux-views: restore ' .. spec.session .. ': ' .. tostring(err)) end
  end
  request_pass(o) -- records the new tabs' ids
end

-- Runs at the first update-status tick after start-up, so the first window is already up:
-- nothing here can keep it from appearing, and every call has its timeout.
local function restore(o, window)
  local todo, err = tabs_to_restore(o)
  if not todo then return wezterm.log_error('tmux-views: restore: ' .. err) end
  if #todo == 0 then return end
  local mux_window = window:mux_window()
  if o.restore ~= 'ask' then return reopen(o, mux_window, todo) end
  window:perform_action(wezterm.action.InputSelector {
    title = 'tmux-views',
    description = string.format('Reopen %d tmux tab(s) from the last session?', #todo),
    choices = { { id = 'reopen', label = string.format('Reopen %d tab(s)', #todo) }, { id = 'no', label = 'No' } },
    action = wezterm.action_callback(function(_, _, id)
      if id == 'reopen' then reopen(o, mux_window, todo) end
    end),
  }, window:active_pane())
end

-- ---- events -----------------------------------------------------------------------------------------

-- Every update-status tick: a pending restore, then a pass every sweep_interval, change_delay
-- after the tabs changed, or when one is queued.
local function tick(window)
  local o = conf()
  local s = state()
  if s.restore == 'pending' then
    s.restore = 'done'
    save(s)
    restore(o, window)
    s = state()
  end
  local since = s.last_pass and os.time() - s.last_pass or math.huge
  if since >= o.sweep_interval or (since >= o.change_delay and live_tabs() ~= s.tabs)
    or (s.queued and not pass_running(s)) then
    request_pass(o)
  end
end

-- A handler that never raises: an error would stop every handler after it (other plugins' too).
local function guarded(what, fn)
  return function(...)
    local ok, err = pcall(fn, ...)
    if not ok then log_once(what .. ': ' .. tostring(err)) end
  end
end

function M.apply_to_config(config, opts)
  settings = validate(opts)
  -- Only events WezTerm emits: it has no tab-closed event. A closed tab hangs up its tmux
  -- client, and tmux's client-detached hook (on-detach) cleans up; these passes catch the rest.
  wezterm.on('update-status', guarded('update-status', tick))
  wezterm.on('user-var-changed', guarded('user-var-changed', function(_, _, name)
    if name == 'TMUX_CLEANUP_TRIGGER' then request_pass(conf()) end
  end))
  if settings.restore then
    -- gui-startup fires once per GUI process, before its first window; `wezterm start -- PROG`
    -- asked for something else. The restore itself waits for the first tick.
    wezterm.on('gui-startup', guarded('gui-startup', function(cmd)
      if cmd and cmd.args then return end
      local s = state()
      s.restore = s.restore or 'pending'
      save(s)
    end))
  end
  if settings.keys ~= false then
    config.keys = config.keys or {}
    table.insert(config.keys, { key = 'c', mods = 'LEADER|CTRL', action = M.action.sweep() })
  end
  return config
end

return M
