--[[ tmux-views for WezTerm: every tab its own view of a tmux session, and no view left behind.

  local wezterm = require 'wezterm'
  local config = wezterm.config_builder()
  local tv = wezterm.plugin.require 'https://github.com/OWNER/tmux-views'
  tv.apply_to_config(config, { restore = true })
  return config

Open a view in a new tab from a key:  { key = 'w', mods = 'LEADER', action = tv.action.spawn { session = 'work' } }
or from Lua:                          tv.spawn_tab(window, pane, { session = 'work', title = 'logs', icon = '📜' })
LEADER|CTRL c sweeps now (set config.leader yourself). Call apply_to_config after setting config.keys.

The plugin runs the repository's compiled scripts (ROOT/dist/scripts/*.mjs): run `npm ci` in ROOT
once (the plugin's clone, see wezterm.plugin.list(), or your own checkout given as opts.root).

Tab ids: WezTerm knows a tab's id only once the tab exists, so a spawn runs spawn-view first
(title and icon, no tab), opens the tab running `tmux attach -t $ID` itself, then writes the
new tab's id onto the view (@tmux-views-tab). Until then the view is protected by its claim.
WezTerm counts tab ids from 0 again after a restart, so the id written is "<tab id>.<instance>",
the instance being fixed for the life of this WezTerm process: tab 3 of one run never passes
for tab 3 of the next. Sweeps get the same ids in --live-tabs.
]]
local wezterm = require 'wezterm'

local M = { action = {} }

local DEFAULTS = {
  root = nil, -- the tmux-views checkout holding dist/ (default: the repository of this file)
  node = nil, -- absolute path of node (default: found in PATH and the usual places)
  tmux = nil, -- absolute path of tmux, also given to the scripts as TMUX_VIEWS_TMUX (found likewise)
  socket = nil, -- tmux -L NAME for every call; nil: the scripts' default server
  sweep_interval = 60, -- seconds between background sweeps (update-status ticks are throttled)
  change_delay = 3, -- when the set of tabs changed, sweep again after this many seconds
  keys = true, -- add LEADER|CTRL c (sweep now); false: add no key
  restore = false, -- at gui-startup, reopen the tabs recorded before a crash, in a new window
}

local function plugin_root()
  local source = debug.getinfo(1, 'S').source:gsub('^@', '')
  return source:match('^(.*)[/\\]plugin[/\\]init%.lua$') or '.'
end

local function exists(path)
  local f = io.open(path, 'r')
  if f then f:close() end
  return f ~= nil
end

-- GUI apps on macOS get PATH=/usr/bin:/bin:/usr/sbin:/sbin, so look where node and tmux live.
local function find(name)
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
  return name
end

local settings -- the resolved opts, set by apply_to_config (or defaults at first use)

local function resolve(opts)
  local o = {}
  for k, v in pairs(DEFAULTS) do o[k] = v end
  for k, v in pairs(opts or {}) do o[k] = v end
  o.root = o.root or plugin_root()
  o.node = o.node or find 'node'
  o.tmux = o.tmux or find 'tmux'
  return o
end

local function conf()
  settings = settings or resolve()
  return settings
end

-- wezterm.GLOBAL outlives config reloads (not restarts); its keys must be strings.
local function state()
  local g = wezterm.GLOBAL.tmux_views
  local s = { instance = g and g.instance, last_pass = g and g.last_pass, tabs = g and g.tabs }
  if not s.instance then
    s.instance = string.format('%d%03d', os.time(), math.random(0, 999))
    wezterm.GLOBAL.tmux_views = s
  end
  return s
end

local function save(s)
  wezterm.GLOBAL.tmux_views = { instance = s.instance, last_pass = s.last_pass, tabs = s.tabs }
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

-- argv for a script: no shell anywhere, so no name is ever parsed as a command.
local function script(o, name, args)
  local file = o.root .. '/dist/scripts/' .. name .. '.mjs'
  if not exists(file) then
    return nil, string.format('%s is missing: run `npm ci` in %s (or set opts.root)', file, o.root)
  end
  local argv = { '/usr/bin/env', '-u', 'NODE_OPTIONS', 'TMUX_VIEWS_TMUX=' .. o.tmux, o.node, file }
  if o.socket then argv[#argv + 1] = '--socket=' .. o.socket end
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  return argv
end

local function tmux_argv(o, args)
  local argv = { o.tmux }
  if o.socket then
    argv[2], argv[3] = '-L', o.socket
  end
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  return argv
end

-- Run a script and decode its JSON; nil and a one-line reason on failure.
local function run_json(o, name, args)
  local argv, err = script(o, name, args)
  if not argv then return nil, err end
  local ok, stdout, stderr = wezterm.run_child_process(argv)
  if not ok then return nil, ((stderr or ''):match '[^\n]+' or (name .. ' failed')) end
  local parsed, data = pcall(wezterm.json_parse, stdout)
  if not parsed or type(data) ~= 'table' then return nil, name .. ': unreadable output: ' .. tostring(stdout) end
  return data
end

local function complain(window, message)
  wezterm.log_error('tmux-views: ' .. message)
  if window then window:toast_notification('tmux-views', message, nil, 4000) end
end

local function text(v)
  return type(v) == 'string' and v ~= '' and v or nil
end

-- A view's session id ($N), the one target tmux cannot misread: it takes any target starting with
-- '$' for an id, even after '=', so a view named '$(x)-view-…' has no usable target by name.
local function session_id(o, out)
  if out.id then return out.id end
  local ok, list = wezterm.run_child_process(tmux_argv(o, { 'list-sessions', '-F', '#{session_id} #{session_name}' }))
  for id, name in (ok and list or ''):gmatch '(%$%d+) ([^\n]*)' do
    if name == out.view then return id end
  end
end

-- Open a view of spec.session in a new tab of mux_window (a new window when nil).
local function open(o, mux_window, spec)
  local args = { '--print', '--json' }
  if spec.create then args[#args + 1] = '--create' end
  -- --flag=VALUE: a value starting with '-' must not read as a flag
  if text(spec.title) then args[#args + 1] = '--title=' .. spec.title end
  if text(spec.icon) then args[#args + 1] = '--icon=' .. spec.icon end
  args[#args + 1] = '--'
  args[#args + 1] = spec.session
  local out, err = run_json(o, 'spawn-view', args)
  if not out then return nil, err end
  local id = session_id(o, out)
  if not id then return nil, 'view ' .. tostring(out.view) .. ' went away' end
  local attach = { args = tmux_argv(o, { 'attach-session', '-t', id }) }
  local ok, tab, _, window = pcall(function()
    if mux_window then return mux_window:spawn_tab(attach) end
    return wezterm.mux.spawn_window(attach)
  end)
  if not ok then return nil, 'cannot open a tab: ' .. tostring(tab) end
  local label = text(spec.icon) and text(spec.title) and spec.icon .. ' ' .. spec.title or text(spec.icon) or text(spec.title)
  if label then tab:set_title(label) end
  local marked, _, stderr = wezterm.run_child_process(
    tmux_argv(o, { 'set-option', '-t', id, '@tmux-views-tab', tab_key(tab) }))
  if not marked then return nil, 'cannot record the tab on ' .. out.view .. ': ' .. tostring(stderr) end
  return tab, window or mux_window
end

--- Open a view of spec.session ({ session, title?, icon?, create? } or a session name) in a new tab.
function M.spawn_tab(window, pane, spec)
  if type(spec) == 'string' then spec = { session = spec } end
  if not spec or not text(spec.session) then return complain(window, 'spawn_tab needs { session = NAME }') end
  local tab, err = open(conf(), window:mux_window(), spec)
  if not tab then return complain(window, err) end
  return tab
end

function M.action.spawn(spec)
  return wezterm.action_callback(function(window, pane) M.spawn_tab(window, pane, spec) end)
end

local function sweep_args(by)
  return { '--json', '--by=' .. by, '--live-tabs=' .. live_tabs() }
end

-- A pass in the background: update-status and user vars must not wait for tmux.
local function sweep_background(o)
  local s = state()
  s.last_pass, s.tabs = os.time(), live_tabs()
  save(s)
  local argv, err = script(o, 'sweep', sweep_args 'terminal')
  if not argv then return wezterm.log_error('tmux-views: ' .. err) end
  wezterm.background_child_process(argv)
end

--- Sweep now and say how many views went.
function M.sweep_now(window)
  local o = conf()
  local s = state()
  s.last_pass, s.tabs = os.time(), live_tabs()
  save(s)
  local out, err = run_json(o, 'sweep', sweep_args 'manual')
  if not out then return complain(window, err) end
  local n = type(out.removed) == 'table' and #out.removed or 0
  window:toast_notification('tmux-views', string.format('Cleaned up %d orphaned view session(s)', n), nil, 4000)
end

function M.action.sweep()
  return wezterm.action_callback(function(window) M.sweep_now(window) end)
end

-- Every update-status tick: a pass every sweep_interval, or change_delay after the tabs changed.
local function tick()
  local o = conf()
  local s = state()
  local since = s.last_pass and os.time() - s.last_pass or math.huge
  if since >= o.sweep_interval or (since >= o.change_delay and live_tabs() ~= s.tabs) then
    sweep_background(o)
  end
end

-- Reopen the tabs of the last pass, in order, in one new window; the next pass records their ids.
local function restore(cmd)
  if cmd and cmd.args then return end -- `wezterm start -- PROG`: the user asked for something else
  local o = conf()
  local out, err = run_json(o, 'report', { '--tabs', '--json' })
  if not out then return wezterm.log_error('tmux-views: restore: ' .. err) end
  local window
  for _, t in ipairs(type(out.tabs) == 'table' and out.tabs or {}) do
    if text(t.parent) then
      local tab, w = open(o, window, { session = t.parent, title = t.title, icon = t.icon })
      if tab then window = w else wezterm.log_error('tmux-views: restore ' .. t.parent .. ': ' .. w) end
    end
  end
end

function M.apply_to_config(config, opts)
  settings = resolve(opts)
  -- Only events WezTerm emits: it has no tab-closed event. A closed tab hangs up its tmux
  -- client, and tmux's client-detached hook (on-detach) cleans up; these passes catch the rest.
  wezterm.on('update-status', tick)
  wezterm.on('user-var-changed', function(window, pane, name)
    if name == 'TMUX_CLEANUP_TRIGGER' then sweep_background(conf()) end
  end)
  if settings.restore then wezterm.on('gui-startup', restore) end
  if settings.keys ~= false then
    config.keys = config.keys or {}
    table.insert(config.keys, { key = 'c', mods = 'LEADER|CTRL', action = M.action.sweep() })
  end
  return config
end

return M
