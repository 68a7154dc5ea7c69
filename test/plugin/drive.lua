-- Drives plugin/init.lua through the WezTerm stand-in, one scenario per run:
--   TV_PLUGIN=/path/plugin/init.lua TV_PARAMS='{"socket":...}' lua5.4 drive.lua SCENARIO
-- and prints one JSON object: what the scenario saw, plus everything the stand-in recorded
-- (commands run, toasts, log lines). test/plugin.test.ts makes the assertions.
local here = arg[0]:match '^(.*)/[^/]*$' or '.'
local W = dofile(here .. '/wezterm_stub.lua')
package.loaded.wezterm = W
local P = W.json_parse(os.getenv 'TV_PARAMS' or '{}') or {}
local PLUGIN = assert(os.getenv 'TV_PLUGIN', 'set TV_PLUGIN')

local function list(t) return setmetatable(t or {}, W.ARRAY) end

local function load_plugin()
  return dofile(PLUGIN) -- as WezTerm's require does: the chunk is named after the file's path
end

-- The opts every real-tmux scenario uses; extra ones on top.
local function opts(extra)
  local o = { socket = P.socket, tmux = P.tmux, node = P.node }
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

local function tick(window)
  W.emit('update-status', window:gui_window(), window:active_tab():active_pane())
end

local function tab_info(t)
  return { id = t:tab_id(), title = t:get_title(), args = t.args and list(t.args), client = t.client and t.client.pid,
    window = t:window():window_id() }
end

local function tabs_info()
  local out = {}
  for _, t in ipairs(W.all_tabs()) do out[#out + 1] = tab_info(t) end
  return list(out)
end

local function key_action(config, key, mods)
  for _, k in ipairs(config.keys or {}) do
    if k.key == key and k.mods == mods then return k.action end
  end
end

-- The --live-tabs value of the last command run.
local function last_live_tabs()
  local last = W.children[#W.children]
  for _, a in ipairs(last and last.argv or {}) do
    local v = a:match '^%-%-live%-tabs=(.*)$'
    if v then return v end
  end
end

local function finish(result)
  result.registered = result.registered or list(W.registered)
  result.logs = list(W.logs)
  result.toasts = list(W.toasts)
  result.children = list(W.children)
  for _, c in ipairs(W.children) do list(c.argv) end
  local g = W.GLOBAL.tmux_views
  result.instance = g and g.instance
  io.write(W.json_encode(result), '\n')
end

local S = {}

-- What apply_to_config registers, for the opts given.
function S.register()
  local tv = load_plugin()
  local config = { keys = { { key = 'x', mods = 'CTRL', action = 'Nop' } } }
  tv.apply_to_config(config, P.opts or {})
  local keys = {}
  for _, k in ipairs(config.keys) do
    keys[#keys + 1] = { key = k.key, mods = k.mods, callback = type(k.action) == 'table' and type(k.action.action_callback) == 'function' }
  end
  local registered = list { table.unpack(W.registered) }
  local nil_keys = {}
  tv.apply_to_config(nil_keys, P.opts or {}) -- config.keys nil: made
  return { registered = registered, real = list(W.REAL_EVENTS), keys = list(keys),
    made_keys = nil_keys.keys and #nil_keys.keys or 0 }
end

-- update-status once a second on a fake clock; background sweeps only recorded.
function S.throttle()
  W.run_background = false
  local now = 1000
  os.time = function() return now end
  local w = W.new_window()
  W.new_window()
  local tv = load_plugin()
  tv.apply_to_config({}, opts())
  local passes, seen = {}, 0
  local function step()
    tick(w)
    if #W.children > seen then
      seen = #W.children
      passes[#passes + 1] = { t = now, live_tabs = last_live_tabs(), argv = list(W.children[seen].argv) }
    end
  end
  local added
  for t = 1000, 1190 do
    now = t
    if t == 1061 then added = w:spawn_tab {} end -- a tab opened: the set changed
    if t == 1124 then -- a config reload: a fresh Lua state, the same wezterm.GLOBAL
      W.handlers, W.registered = {}, {}
      load_plugin().apply_to_config({}, opts())
    end
    if t == 1150 then W.close_tab(added) end
    step()
  end
  return { passes = list(passes) }
end

-- One window, the plugin loaded and applied to a fresh config with opts(extra).
local function plugin_in_window(extra)
  local w = W.new_window()
  local tv = load_plugin()
  local config = {}
  tv.apply_to_config(config, opts(extra))
  return w, tv, w:gui_window(), config
end

-- Spawn views through the plugin: the function, then the key-table action.
function S.spawn()
  W.run_background = false
  local w, tv, gui = plugin_in_window()
  local spawned = {}
  local tab = tv.spawn_tab(gui, gui:active_pane(), { session = P.session, title = P.title, icon = P.icon })
  spawned[#spawned + 1] = tab and tab:tab_id()
  local action = tv.action.spawn { session = P.session, title = 'second' }
  action.action_callback(gui, gui:active_pane())
  spawned[#spawned + 1] = w:active_tab():tab_id()
  tick(w)
  return { spawned = list(spawned), tabs = tabs_info(), live_tabs = last_live_tabs() }
end

-- A view left by a closed tab is taken by the next spawn, and gets the new tab's id.
function S.reuse()
  W.run_background = false
  local w, tv, gui = plugin_in_window()
  local first = assert(tv.spawn_tab(gui, gui:active_pane(), { session = P.session, title = 'one' }))
  local view = first.args[#first.args] -- attach-session -t $ID
  W.close_tab(first)
  local check = table.concat({ W.quote(P.tmux), '-L', W.quote(P.socket), 'display-message -p -t', W.quote(view),
    W.quote '#{session_attached}' }, ' ')
  for _ = 1, 200 do
    local p = io.popen(check)
    local attached = p:read 'l'
    p:close()
    if attached == '0' then break end
    W.sleep_ms(25)
  end
  W.sleep_ms(1100) -- a view attached this very second is passed over (see reusableViews)
  local second = assert(tv.spawn_tab(gui, gui:active_pane(), { session = P.session, title = 'two' }))
  tick(w)
  return { view = view, first = tab_info(first), second = tab_info(second), live_tabs = last_live_tabs() }
end

-- LEADER|CTRL c: a sweep now, and a toast saying how many views went.
function S.sweep_key()
  local _, _, gui, config = plugin_in_window()
  key_action(config, 'c', 'LEADER|CTRL').action_callback(gui, gui:active_pane())
  return {}
end

-- The user var from tmux: another name does nothing, TMUX_CLEANUP_TRIGGER sweeps.
function S.trigger()
  local _, _, gui = plugin_in_window()
  W.emit('user-var-changed', gui, gui:active_pane(), 'SOMETHING_ELSE', '1')
  local before = #W.children
  W.emit('user-var-changed', gui, gui:active_pane(), 'TMUX_CLEANUP_TRIGGER', '1')
  return { before = before }
end

-- Before the crash: tabs opened through the plugin, then a pass that records them. The tmux
-- clients stay running when this process ends, as a crashed WezTerm leaves them until they die.
function S.record()
  local w, tv, gui = plugin_in_window { restore = true }
  for _, spec in ipairs(P.tabs) do assert(tv.spawn_tab(gui, gui:active_pane(), spec)) end
  tick(w)
  return { tabs = tabs_info(), live_tabs = last_live_tabs() }
end

-- After the crash: a new WezTerm process starts; gui-startup reopens the recorded tabs.
function S.restore()
  local tv = load_plugin()
  tv.apply_to_config({}, opts { restore = true })
  W.emit('gui-startup', nil)
  local restored = tabs_info()
  local windows = W.mux.all_windows()
  if windows[1] then tick(windows[1]) end
  return { tabs = restored, windows = #windows, live_tabs = last_live_tabs() }
end

-- Hostile names as sessions, titles and icons, through spawn, the key sweep and the user var.
function S.hostile()
  local _, tv, gui, config = plugin_in_window()
  for _, name in ipairs(P.names) do
    tv.spawn_tab(gui, gui:active_pane(), { session = name, title = name, icon = name })
  end
  key_action(config, 'c', 'LEADER|CTRL').action_callback(gui, gui:active_pane())
  W.emit('user-var-changed', gui, gui:active_pane(), 'TMUX_CLEANUP_TRIGGER', '1')
  return { tabs = tabs_info(), live_tabs = last_live_tabs() }
end

-- Failures toast and log, and open no tab.
function S.errors()
  local _, tv, gui = plugin_in_window()
  local results = {}
  results.missing = tv.spawn_tab(gui, gui:active_pane(), { session = P.session }) == nil
  results.nameless = tv.spawn_tab(gui, gui:active_pane(), {}) == nil
  tv.apply_to_config({}, opts { root = P.empty_root })
  results.no_dist = tv.spawn_tab(gui, gui:active_pane(), 'work') == nil
  return { results = results, tabs = tabs_info() }
end

-- No node or tmux given: found in the usual places, with PATH as sparse as a macOS app gets.
function S.discover()
  W.run_background = false
  local w = W.new_window()
  load_plugin().apply_to_config({}, {})
  tick(w)
  return {}
end

local name = arg[1]
local scenario = assert(S[name], 'no scenario ' .. tostring(name))
finish(scenario())
