-- A stand-in for WezTerm's `wezterm` module, for running plugin/init.lua under plain Lua 5.4.
-- It records what the plugin registers and shows; commands run FOR REAL (through /bin/sh with
-- every argument single-quoted), background ones synchronously so tests are deterministic; a
-- tab whose args run `tmux ... attach-session` gets a real tmux client, in control mode.
local W = {}

-- Events WezTerm emits (wezterm.org: window events, gui events, mux events). Anything else
-- registered with wezterm.on would never fire (there is no mux-tab-closed, no mux-window-close).
W.REAL_EVENTS = {
  'augment-command-palette', 'bell', 'format-tab-title', 'format-window-title', 'new-tab-button-click',
  'open-uri', 'update-right-status', 'update-status', 'user-var-changed', 'window-config-reloaded',
  'window-focus-changed', 'window-resized', 'gui-startup', 'gui-attached', 'mux-startup',
  'mux-is-process-stateful',
}

W.home_dir = os.getenv 'HOME'
W.target_triple = 'x86_64-unknown-linux-gnu'
W.config_dir = (os.getenv 'HOME' or '') .. '/.config/wezterm'
W.version = '20240203-110809-5046fc22'

-- ---- records ---------------------------------------------------------------------------------

W.handlers = {} -- event name -> list of functions, in registration order
W.registered = {} -- event names, one entry per wezterm.on call
W.logs = {} -- { level, message }
W.children = {} -- every command run: { argv, background }
W.toasts = {} -- { window, title, message, timeout }
W.run_background = true -- false: background_child_process only records

function W.on(name, fn)
  assert(type(name) == 'string' and type(fn) == 'function', 'wezterm.on(name, function)')
  W.handlers[name] = W.handlers[name] or {}
  table.insert(W.handlers[name], fn)
  table.insert(W.registered, name)
end

--- Test helper: fire an event as WezTerm would.
function W.emit(name, ...)
  for _, fn in ipairs(W.handlers[name] or {}) do fn(...) end
end

local function log(level)
  return function(...)
    local parts = {}
    for i = 1, select('#', ...) do parts[#parts + 1] = tostring((select(i, ...))) end
    table.insert(W.logs, { level = level, message = table.concat(parts, ' ') })
  end
end
W.log_info, W.log_warn, W.log_error = log 'info', log 'warn', log 'error'

-- wezterm.action_callback registers a hidden event in WezTerm; here it is a table to call.
function W.action_callback(fn)
  assert(type(fn) == 'function', 'action_callback(function)')
  return { action_callback = fn }
end
W.action = setmetatable({}, {
  __index = function(_, name)
    return function(arg) return { action = name, arg = arg } end
  end,
})

-- ---- wezterm.GLOBAL: json-like values, string keys only, copied on write ------------------------

local function copy_checked(v, path)
  if type(v) ~= 'table' then
    assert(({ string = true, number = true, boolean = true, ['nil'] = true })[type(v)],
      'wezterm.GLOBAL cannot hold a ' .. type(v) .. ' at ' .. path)
    return v
  end
  local out = {}
  for k, x in pairs(v) do
    if type(k) ~= 'string' then error('wezterm.GLOBAL keys must be strings, got ' .. type(k) .. ' at ' .. path, 3) end
    out[k] = copy_checked(x, path .. '.' .. k)
  end
  return out
end

local global_store = {}
W.GLOBAL = setmetatable({}, {
  __index = function(_, k) return copy_checked(global_store[k], 'GLOBAL') end,
  __newindex = function(_, k, v)
    if type(k) ~= 'string' then error('wezterm.GLOBAL keys must be strings, got ' .. type(k), 2) end
    global_store[k] = copy_checked(v, 'GLOBAL.' .. k)
  end,
})

-- ---- JSON ------------------------------------------------------------------------------------

function W.json_parse(s)
  local i = 1
  local function ws() i = s:find('[^ \t\r\n]', i) or #s + 1 end
  local function fail(what) error(string.format('json_parse: %s at %d', what, i), 0) end
  local value
  local function str()
    local out = {}
    i = i + 1
    while true do
      local c = s:sub(i, i)
      if c == '' then fail 'unterminated string' end
      if c == '"' then i = i + 1; return table.concat(out) end
      if c == '\\' then
        local e = s:sub(i + 1, i + 1)
        if e == 'u' then
          local cp = tonumber(s:sub(i + 2, i + 5), 16) or fail 'bad \\u'
          i = i + 6
          if cp >= 0xD800 and cp <= 0xDBFF and s:sub(i, i + 1) == '\\u' then
            local lo = tonumber(s:sub(i + 2, i + 5), 16) or fail 'bad \\u'
            cp, i = 0x10000 + (cp - 0xD800) * 0x400 + (lo - 0xDC00), i + 6
          end
          out[#out + 1] = utf8.char(cp)
        else
          out[#out + 1] = ({ b = '\b', f = '\f', n = '\n', r = '\r', t = '\t' })[e] or e
          i = i + 2
        end
      else
        local j = s:find('["\\]', i) or #s + 1
        out[#out + 1] = s:sub(i, j - 1)
        i = j
      end
    end
  end
  function value()
    ws()
    local c = s:sub(i, i)
    if c == '{' then
      local t = {}
      i = i + 1; ws()
      if s:sub(i, i) == '}' then i = i + 1; return t end
      while true do
        ws()
        if s:sub(i, i) ~= '"' then fail 'expected a key' end
        local k = str(); ws()
        if s:sub(i, i) ~= ':' then fail 'expected :' end
        i = i + 1
        t[k] = value(); ws()
        local d = s:sub(i, i); i = i + 1
        if d == '}' then return t end
        if d ~= ',' then fail 'expected , or }' end
      end
    elseif c == '[' then
      local t = {}
      i = i + 1; ws()
      if s:sub(i, i) == ']' then i = i + 1; return t end
      while true do
        t[#t + 1] = value(); ws()
        local d = s:sub(i, i); i = i + 1
        if d == ']' then return t end
        if d ~= ',' then fail 'expected , or ]' end
      end
    elseif c == '"' then return str()
    elseif s:sub(i, i + 3) == 'true' then i = i + 4; return true
    elseif s:sub(i, i + 4) == 'false' then i = i + 5; return false
    elseif s:sub(i, i + 3) == 'null' then i = i + 4; return nil
    else
      local num = s:match('^-?%d+%.?%d*[eE]?[-+]?%d*', i) or fail 'unexpected character'
      i = i + #num
      return tonumber(num)
    end
  end
  local v = value(); ws()
  if i <= #s then fail 'trailing text' end
  return v
end

local function is_array(t)
  if getmetatable(t) == W.ARRAY then return true end
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n > 0 and n == #t
end
W.ARRAY = {} -- setmetatable({}, W.ARRAY): encode an empty table as []

function W.json_encode(v)
  local t = type(v)
  if t == 'nil' then return 'null' end
  if t == 'boolean' or t == 'number' then return tostring(v) end
  if t == 'string' then
    return '"' .. v:gsub('[%c"\\]', function(c)
      return ({ ['"'] = '\\"', ['\\'] = '\\\\', ['\n'] = '\\n', ['\t'] = '\\t' })[c] or string.format('\\u%04x', c:byte())
    end) .. '"'
  end
  if t == 'function' then return '"<function>"' end
  local out = {}
  if is_array(v) then
    for _, x in ipairs(v) do out[#out + 1] = W.json_encode(x) end
    return '[' .. table.concat(out, ',') .. ']'
  end
  local pairs_ = {}
  for k, x in pairs(v) do pairs_[#pairs_ + 1] = { tostring(k), x } end
  table.sort(pairs_, function(a, b) return a[1] < b[1] end)
  for _, kv in ipairs(pairs_) do out[#out + 1] = W.json_encode(kv[1]) .. ':' .. W.json_encode(kv[2]) end
  return '{' .. table.concat(out, ',') .. '}'
end

-- ---- child processes -------------------------------------------------------------------------

function W.quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

local function cmdline(argv)
  local parts = {}
  for i, a in ipairs(argv) do parts[i] = W.quote(a) end
  return table.concat(parts, ' ')
end

local function read_file(path)
  local f = io.open(path, 'rb')
  if not f then return '' end
  local s = f:read 'a'
  f:close()
  return s
end

local function run(argv)
  assert(type(argv) == 'table' and #argv > 0, 'an argv table')
  local errfile = os.tmpname()
  local p = assert(io.popen(cmdline(argv) .. ' </dev/null 2>' .. W.quote(errfile), 'r'))
  local stdout = p:read 'a'
  local ok = p:close()
  local stderr = read_file(errfile)
  os.remove(errfile)
  return ok == true, stdout, stderr
end

function W.run_child_process(argv)
  table.insert(W.children, { argv = argv, background = false })
  return run(argv)
end

function W.background_child_process(argv)
  table.insert(W.children, { argv = argv, background = true })
  if W.run_background then run(argv) end
end

function W.sleep_ms(ms) os.execute('sleep ' .. ms / 1000) end

-- ---- the mux: windows, tabs, and the tmux clients tabs run -------------------------------------

local counters = { window = 0, tab = 0, pane = 0, client = 0 }
local windows = {}
W.tmpdir = os.getenv 'TV_TMP' or '/tmp'

-- A tab running `tmux [server flags] attach-session ...` gets a real client: the same command
-- with -C (control mode), stdin a fifo it holds open itself, so it stays until killed or detached.
local function start_client(args)
  local at
  for i, a in ipairs(args) do
    if a == 'attach-session' then at = i end
  end
  if not at then return nil end
  local server, argv = {}, {}
  for i = 1, at - 1 do server[i] = args[i] end
  for i, a in ipairs(args) do
    if i == at then argv[#argv + 1] = '-C' end
    argv[#argv + 1] = a
  end
  counters.client = counters.client + 1
  local fifo = string.format('%s/client-%d-%d', W.tmpdir, counters.client, math.random(1e9))
  assert(os.execute('mkfifo ' .. W.quote(fifo)))
  local p = io.popen(cmdline(argv) .. ' <>' .. W.quote(fifo) .. ' >/dev/null 2>&1 & echo $!')
  local pid = p:read 'l'
  p:close()
  local list = cmdline(server) .. " list-clients -F '#{client_pid}' 2>/dev/null"
  for _ = 1, 200 do
    local q = io.popen(list)
    local out = q:read 'a'
    q:close()
    for line in out:gmatch '[^\n]+' do
      if line == pid then return { pid = pid, fifo = fifo } end
    end
    W.sleep_ms(25)
  end
  error('tmux client did not attach: ' .. cmdline(args))
end

local Tab, MuxWindow, GuiWindow, Pane = {}, {}, {}, {}
Tab.__index, MuxWindow.__index, GuiWindow.__index, Pane.__index = Tab, MuxWindow, GuiWindow, Pane

local function new_tab(window, spec)
  spec = spec or {}
  local tab = setmetatable({ id = counters.tab, window_ = window, args = spec.args, title = '' }, Tab)
  counters.tab = counters.tab + 1
  tab.pane = setmetatable({ id = counters.pane, tab = tab }, Pane)
  counters.pane = counters.pane + 1
  if spec.args then tab.client = start_client(spec.args) end
  table.insert(window.tabs_, tab)
  return tab, tab.pane, window
end

function Tab:tab_id() return self.id end
function Tab:set_title(t) self.title = t end
function Tab:get_title() return self.title end
function Tab:window() return self.window_ end
function Tab:panes() return { self.pane } end
function Tab:active_pane() return self.pane end
function Pane:pane_id() return self.id end
function Pane:tab() return self.tab end
function Pane:window() return self.tab.window_ end

local function new_window()
  local w = setmetatable({ id = counters.window, tabs_ = {} }, MuxWindow)
  counters.window = counters.window + 1
  w.gui = setmetatable({ mux = w }, GuiWindow)
  table.insert(windows, w)
  return w
end

function MuxWindow:window_id() return self.id end
function MuxWindow:tabs() return { table.unpack(self.tabs_) } end
function MuxWindow:spawn_tab(spec) return new_tab(self, spec) end
function MuxWindow:gui_window() return self.gui end
function MuxWindow:active_tab() return self.tabs_[#self.tabs_] end
function MuxWindow:get_workspace() return 'default' end
function GuiWindow:mux_window() return self.mux end
function GuiWindow:window_id() return self.mux.id end
function GuiWindow:active_tab() return self.mux:active_tab() end
function GuiWindow:active_pane() return self.mux:active_tab().pane end
function GuiWindow:toast_notification(title, message, url, timeout)
  table.insert(W.toasts, { window = self.mux.id, title = title, message = message, url = url, timeout = timeout })
end

W.mux = {}
function W.mux.all_windows() return { table.unpack(windows) } end
function W.mux.get_active_workspace() return 'default' end
function W.mux.spawn_window(spec)
  return new_tab(new_window(), spec)
end

--- Test helper: a window with one tab running the default program (no process here).
function W.new_window()
  local w = new_window()
  new_tab(w, {})
  return w
end

--- Test helper: close a tab: its tmux client hangs up, as when WezTerm closes the pty.
function W.close_tab(tab)
  local w = tab.window_
  for i, t in ipairs(w.tabs_) do
    if t == tab then table.remove(w.tabs_, i) end
  end
  if tab.client then
    os.execute('kill -HUP ' .. tab.client.pid .. ' 2>/dev/null')
    os.remove(tab.client.fifo)
  end
end

--- Every tab of every window, in window then tab order.
function W.all_tabs()
  local out = {}
  for _, w in ipairs(windows) do
    for _, t in ipairs(w.tabs_) do out[#out + 1] = t end
  end
  return out
end

return W
