-- Drives plugin/init.lua through the WezTerm stand-in, one scenario per run:
--   TV_DATA=DIR TV_PARAMS='{"socket":...}' lua5.4 drive.lua SCENARIO
-- DIR/plugins/<repo dir of TV_URL> is the plugin's clone, as wezterm.plugin.require leaves it.
-- Prints one JSON object: what the scenario saw, plus everything the stand-in recorded (commands
-- run, toasts, log lines). test/plugin.test.ts makes the assertions.
local here = arg[0]:match '^(.*)/[^/]*$' or '.'
local W = dofile(here .. '/wezterm_stub.lua').install(assert(os.getenv 'TV_DATA', 'set TV_DATA'))
local P = W.json_parse(os.getenv 'TV_PARAMS' or '{}') or {}
local URL = os.getenv 'TV_URL' or 'https://github.com/OWNER/tmux-views'

local function list(t) return setmetatable(t or {}, W.ARRAY) end

-- As a user's wezterm.lua does: through wezterm.plugin.require, so through require.
local function load_plugin()
  return W.plugin.require(URL)
end

-- A config reload: a fresh Lua state (handlers and modules gone), the same wezterm.GLOBAL.
local function reload()
  W.handlers, W.registered = {}, {}
  package.loaded[W.repo_dir(URL)] = nil
  return load_plugin()
end

-- The opts every real-tmux scenario uses; extra ones on top.
local function opts(extra)
  local o = { socket = P.socket, tmux = P.tmux, node = P.node }
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

local function tick(window)
  W.fire('update-status', window:gui_window(), window:active_tab():active_pane())
end

-- The tmux client a tab runs has attached (spawn_tab returns before it does).
local function wait_attached(tab, socket)
  local check = table.concat({ W.quote(P.tmux), '-L', W.quote(socket or P.socket), "list-clients -F '#{client_pid}'" }, ' ')
  for _ = 1, 400 do
    local p = io.popen(check .. ' 2>/dev/null')
    local out = p:read 'a'
    p:close()
    for pid in out:gmatch '%d+' do
      if pid == tab.client.pid then return end
    end
    W.sleep_ms(25)
  end
  error('the client of tab ' .. tab:tab_id() .. ' never attached')
end

local function tab_info(t)
  return { id = t:tab_id(), title = t:get_title(), args = t.args and list(t.args), client = t.client and t.client.pid,
    window = t:window():window_id(), domain = t.pane.domain }
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

-- The script's own argv: a background pass runs `/bin/sh -c SCRIPT MARKER [TIMEOUT] ARGV...`, a
-- call `[TIMEOUT] ARGV...`, where TIMEOUT is `timeout -k 2 SECONDS` (or perl's alarm).
local function command(c)
  local argv = c.argv
  if argv[1] == '/bin/sh' then argv = { table.unpack(argv, 5) } end
  if argv[1]:match '/timeout$' then argv = { table.unpack(argv, 5) } end
  return list(argv)
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
  W.wait_background(60)
  result.registered = result.registered or list(W.registered)
  result.logs = list(W.logs)
  result.toasts = list(W.toasts)
  local children = {}
  for i, c in ipairs(W.children) do children[i] = { argv = list(c.argv), command = command(c), background = c.background } end
  result.children = list(children)
  local g = W.plain(W.GLOBAL.tmux_views)
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
    keys[#keys + 1] = { key = k.key, mods = k.mods, callback = type(k.action) == 'table' and k.action.EmitEvent ~= nil }
  end
  local registered = list { table.unpack(W.registered) }
  local nil_keys = {}
  tv.apply_to_config(nil_keys, P.opts or {}) -- config.keys nil: made
  local real = {}
  for name in pairs(W.EVENTS) do real[#real + 1] = name end
  return { registered = registered, real = list(real), keys = list(keys), made_keys = nil_keys.keys and #nil_keys.keys or 0 }
end

-- update-status once a second on a fake clock; each background pass ends before the next tick.
function S.throttle()
  local now = 1000
  os.time = function() return now end
  local w = W.new_window()
  W.new_window()
  local tv = load_plugin()
  tv.apply_to_config({}, opts())
  local passes, seen = {}, 0
  local function step()
    tick(w)
    W.wait_background(30)
    if #W.children > seen then
      seen = #W.children
      passes[#passes + 1] = { t = now, live_tabs = last_live_tabs(), argv = command(W.children[seen]) }
    end
  end
  local added
  for t = 1000, 1190 do
    now = t
    if t == 1061 then added = w:spawn_tab {} end -- a tab opened: the set changed
    if t == 1124 then reload().apply_to_config({}, opts()) end
    if t == 1150 then W.close_tab(added) end
    step()
  end
  return { passes = list(passes) }
end

-- One window, the plugin loaded and applied to a fresh config with opts(extra).
local function plugin_in_window(extra, domain)
  local w = W.new_window(domain)
  local tv = load_plugin()
  local config = {}
  tv.apply_to_config(config, opts(extra))
  return w, tv, w:gui_window(), config
end

-- Spawn views through the plugin: the function, then the key-table action.
function S.spawn()
  local w, tv, gui = plugin_in_window()
  local spawned = {}
  local tab = tv.spawn_tab(gui, gui:active_pane(), { session = P.session, title = P.title, icon = P.icon })
  spawned[#spawned + 1] = tab and tab:tab_id()
  W.press(tv.action.spawn { session = P.session, title = 'second' }, gui, gui:active_pane())
  spawned[#spawned + 1] = w:active_tab():tab_id()
  tick(w)
  return { spawned = list(spawned), tabs = tabs_info(), live_tabs = last_live_tabs() }
end

-- From a pane of an SSH domain, with TMUX inherited: the tab still attaches on this machine.
function S.remote_pane()
  local _, tv, gui = plugin_in_window(nil, 'SSH:build-host')
  local tab = assert(tv.spawn_tab(gui, gui:active_pane(), P.session))
  wait_attached(tab)
  return { tabs = tabs_info() }
end

-- A view left by a closed tab is taken by the next spawn, and gets the new tab's id.
function S.reuse()
  local w, tv, gui = plugin_in_window()
  local first = assert(tv.spawn_tab(gui, gui:active_pane(), { session = P.session, title = 'one' }))
  wait_attached(first)
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
  local _, _, gui, config = plugin_in_window(P.opts)
  for _, spec in ipairs(P.tabs or {}) do
    assert(package.loaded[W.repo_dir(URL)].spawn_tab(gui, gui:active_pane(), spec))
  end
  W.press(key_action(config, 'c', 'LEADER|CTRL'), gui, gui:active_pane())
  return {}
end

-- The user var from tmux: another name does nothing, TMUX_CLEANUP_TRIGGER sweeps.
function S.trigger()
  local _, _, gui = plugin_in_window()
  W.fire('user-var-changed', gui, gui:active_pane(), 'SOMETHING_ELSE', '1')
  local before = #W.children
  W.fire('user-var-changed', gui, gui:active_pane(), 'TMUX_CLEANUP_TRIGGER', '1')
  return { before = before }
end

-- A pane prints the trigger P.count times at once: one pass runs, one waits for the next tick.
function S.flood()
  local w, _, gui = plugin_in_window()
  for _ = 1, P.count do
    W.fire('user-var-changed', gui, gui:active_pane(), 'TMUX_CLEANUP_TRIGGER', '1')
  end
  local during = #W.children
  W.wait_background(60)
  tick(w) -- the queued pass
  local after_tick = #W.children
  W.wait_background(60)
  tick(w) -- nothing queued any more
  return { during = during, after_tick = after_tick, after_second_tick = #W.children }
end

-- Before the crash: tabs opened through the plugin, then a pass that records them. The tmux
-- clients stay running when this process ends, as a crashed WezTerm leaves them until they die.
function S.record()
  local w, tv, gui = plugin_in_window { restore = true }
  local tabs = {}
  for _, spec in ipairs(P.tabs) do tabs[#tabs + 1] = assert(tv.spawn_tab(gui, gui:active_pane(), spec)) end
  for i, tab in ipairs(tabs) do wait_attached(tab, P.tabs[i].socket) end
  tick(w)
  return { tabs = tabs_info(), live_tabs = last_live_tabs() }
end

-- A new WezTerm process starts: gui-startup, the first window, then its ticks reopen the tabs.
function S.restore()
  local tv = load_plugin()
  tv.apply_to_config({}, opts { restore = P.restore == nil and true or P.restore, timeout = P.timeout })
  local started = os.time()
  local first = W.gui_startup(nil)
  tick(first)
  if P.choose then W.choose(first:gui_window(), P.choose) end
  local restored, seconds = tabs_info(), os.time() - started
  tick(first)
  W.wait_background(60)
  return { tabs = restored, windows = #W.mux.all_windows(), live_tabs = last_live_tabs(), seconds = seconds,
    asked = #W.actions }
end

-- Hostile names as sessions, titles and icons, through spawn, the key sweep and the user var.
function S.hostile()
  local _, tv, gui, config = plugin_in_window()
  for _, name in ipairs(P.names) do
    tv.spawn_tab(gui, gui:active_pane(), { session = name, title = name, icon = name })
  end
  W.press(key_action(config, 'c', 'LEADER|CTRL'), gui, gui:active_pane())
  W.fire('user-var-changed', gui, gui:active_pane(), 'TMUX_CLEANUP_TRIGGER', '1')
  return { tabs = tabs_info(), live_tabs = last_live_tabs() }
end

-- Failures toast, log and open no tab.
function S.errors()
  local _, tv, gui = plugin_in_window()
  local results = {}
  results.missing = tv.spawn_tab(gui, gui:active_pane(), { session = P.session }) == nil
  results.nameless = tv.spawn_tab(gui, gui:active_pane(), {}) == nil
  tv.apply_to_config({}, opts { root = P.empty_root })
  results.no_dist = tv.spawn_tab(gui, gui:active_pane(), 'work') == nil
  return { results = results, tabs = tabs_info() }
end

-- Bad options, and another plugin's update-status handler registered after this one.
function S.bad_opts()
  local w = W.new_window()
  local config = {}
  load_plugin().apply_to_config(config, P.opts)
  local other = 0
  W.on('update-status', function() other = other + 1 end)
  for _ = 1, 3 do tick(w) end
  return { other = other }
end

-- A spawn with dist/ built from another commit than the checkout's (opts.root = P.root).
function S.stale()
  local _, tv, gui = plugin_in_window { root = P.root }
  return { opened = tv.spawn_tab(gui, gui:active_pane(), P.session) ~= nil, tabs = tabs_info() }
end

-- The plugin copied and loaded under another name: its checkout is found by wezterm.plugin.list().
function S.copied()
  package.path = P.config_dir .. '/?.lua;' .. package.path
  local w = W.new_window()
  require('tmux_views_copy').apply_to_config({}, opts())
  tick(w)
  return {}
end

-- No node or tmux given: found in the usual places, with PATH as sparse as a macOS app gets.
function S.discover()
  local w = W.new_window()
  load_plugin().apply_to_config({}, {})
  tick(w)
  return {}
end

local name = arg[1]
local scenario = assert(S[name], 'no scenario ' .. tostring(name))
finish(scenario())
