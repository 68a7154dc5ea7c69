-- A stand-in for WezTerm's `wezterm` module and Lua state, for running plugin/init.lua under plain
-- Lua 5.4. It is built from WezTerm's source (wezterm/wezterm, read at commit 4ff581a8) and is at
-- least as strict: each behaviour names the file it comes from. Commands run FOR REAL; a tab whose
-- command runs `tmux ... attach-session` gets a real tmux client, in control mode.
local W = {}

-- ---- the Lua state ------------------------------------------------------------------------------

--- Make this Lua state like WezTerm's, then `require 'wezterm'` gives this module.
--- config/src/lua.rs make_lua_context: `Lua::new()`, "the lua standard library, except for the
--- `debug` module"; package.path gets "<DATA_DIR>/plugins/?/plugin/init.lua" (plugins are found
--- by require); the `wezterm` module is preloaded.
function W.install(data_dir)
  debug = nil ---@diagnostic disable-line: lowercase-global
  package.loaded.debug = nil
  W.data_dir = data_dir
  package.path = data_dir .. '/plugins/?/plugin/init.lua;' .. package.path
  package.loaded.wezterm = W
  return W
end

-- Events WezTerm emits, each with the file that emits it. Anything else registered with wezterm.on
-- never fires (there is no tab-closed or window-closed event). `emit_sync_callback` events call
-- only the first handler; the others call every handler in turn (config/src/lua.rs).
W.EVENTS = {
  ['gui-startup'] = 'wezterm-gui/src/main.rs trigger_gui_startup',
  ['gui-attached'] = 'wezterm-gui/src/main.rs trigger_gui_attached',
  ['mux-startup'] = 'wezterm-mux-server/src/main.rs trigger_mux_startup',
  ['update-status'] = 'wezterm-gui/src/termwindow/mod.rs emit_status_event',
  ['update-right-status'] = 'wezterm-gui/src/termwindow/mod.rs emit_status_event',
  ['user-var-changed'] = 'wezterm-gui/src/termwindow/mod.rs emit_user_var_event',
  ['window-focus-changed'] = 'wezterm-gui/src/termwindow/mod.rs',
  ['window-config-reloaded'] = 'wezterm-gui/src/termwindow/mod.rs',
  ['bell'] = 'wezterm-gui/src/termwindow/mod.rs',
  ['open-uri'] = 'wezterm-gui/src/termwindow/mod.rs',
  ['window-resized'] = 'wezterm-gui/src/termwindow/resize.rs',
  ['new-tab-button-click'] = 'wezterm-gui/src/termwindow/mouseevent.rs',
  ['format-tab-title'] = 'wezterm-gui/src/tabbar.rs (emit_sync_callback)',
  ['format-window-title'] = 'wezterm-gui/src/termwindow/mod.rs (emit_sync_callback)',
  ['augment-command-palette'] = 'wezterm-gui/src/termwindow/palette.rs (emit_sync_callback)',
  ['mux-is-process-stateful'] = 'mux/src/localpane.rs (emit_sync_callback)',
}

-- ---- records ------------------------------------------------------------------------------------

W.handlers = {} -- event name -> list of functions, in registration order
W.registered = {} -- event names, one entry per wezterm.on call
W.logs = {} -- { level, message }
W.children = {} -- every command run: { argv, background, pid }
W.toasts = {} -- { window, title, message, timeout }
W.actions = {} -- window:perform_action calls: { window, action }

-- config/src/lua.rs register_event: handlers are kept per name, in order.
function W.on(name, fn)
  assert(type(name) == 'string' and type(fn) == 'function', 'wezterm.on(name, function)')
  W.handlers[name] = W.handlers[name] or {}
  table.insert(W.handlers[name], fn)
  table.insert(W.registered, name)
end

-- config/src/lua.rs emit_event: each handler in order; an error stops the rest and goes to the
-- caller (`func.call_async(args).await?`); a handler returning false stops the rest too.
function W.emit(name, ...)
  for _, fn in ipairs(W.handlers[name] or {}) do
    if fn(...) == false then return false end
  end
  return true
end

--- Test helper: WezTerm firing an event. The error of a handler is logged, as the call sites in
--- wezterm-gui/src/termwindow/mod.rs do ("while processing ... event"); gui-startup's also gets a
--- persistent toast (wezterm-gui/src/main.rs trigger_and_log_gui_startup).
function W.fire(name, ...)
  assert(W.EVENTS[name] or name:match '^user%-defined%-', 'WezTerm never emits ' .. name)
  local ok, err = pcall(W.emit, name, ...)
  if not ok then
    W.log_error(string.format('while processing %s event: %s', name, tostring(err)))
    if name == 'gui-startup' then table.insert(W.toasts, { title = 'Error', message = tostring(err) }) end
  end
  return ok
end

local function log(level)
  return function(...)
    local parts = {}
    for i = 1, select('#', ...) do parts[#parts + 1] = tostring((select(i, ...))) end
    table.insert(W.logs, { level = level, message = table.concat(parts, ' ') })
  end
end
W.log_info, W.log_warn, W.log_error = log 'info', log 'warn', log 'error'

-- config/src/lua.rs action_callback: the function becomes a handler of a hidden event
-- "user-defined-N", and the action is EmitEvent of that name.
local callbacks = 0
function W.action_callback(fn)
  assert(type(fn) == 'function', 'action_callback(function)')
  callbacks = callbacks + 1
  local name = 'user-defined-' .. callbacks
  W.on(name, fn)
  W.registered[#W.registered] = nil -- not one of the plugin's own wezterm.on calls
  return { EmitEvent = name }
end
W.action = setmetatable({}, {
  __index = function(_, name)
    return function(arg) return { action = name, arg = arg } end
  end,
})

--- Test helper: a key's action pressed in a window (wezterm-gui/src/termwindow/mod.rs EmitEvent).
function W.press(action, gui, pane, ...)
  assert(type(action) == 'table' and action.EmitEvent, 'an action_callback action')
  return W.fire(action.EmitEvent, gui, pane, ...)
end

-- ---- wezterm.GLOBAL: lua-api-crates/share-data/src/lib.rs ------------------------------------------
-- Values are converted when stored: tables with [1] are arrays (only 1..n keys allowed), other
-- tables objects with string keys (WezTerm would coerce number keys to strings; here they are an
-- error). Functions, threads and userdata cannot be stored. Reading a table gives a live object
-- (shared, like WezTerm's Arc) indexable only by strings (objects) or integers (arrays), with
-- __pairs and __len; it holds nothing raw, so next() and rawget() see nothing (in WezTerm it is a
-- userdata, where they fail).
local NULL = {}
local nodes = setmetatable({}, { __mode = 'k' }) -- proxy -> its stored value

local function to_value(v, path)
  local t = type(v)
  if v == nil then return NULL end
  if t == 'string' or t == 'number' or t == 'boolean' then return v end
  if t ~= 'table' then error('wezterm.GLOBAL cannot hold a ' .. t .. ' (at ' .. path .. ')', 0) end
  if nodes[v] then return to_value(W.plain(v), path) end -- a GLOBAL value: copied
  if v[1] ~= nil then
    local list = {}
    for i, x in ipairs(v) do list[i] = to_value(x, path .. '[' .. i .. ']') end
    for k in pairs(v) do
      if math.type(k) ~= 'integer' or k < 1 or k > #list then
        error('wezterm.GLOBAL: unexpected key ' .. tostring(k) .. ' for array style table (at ' .. path .. ')', 0)
      end
    end
    return { array = list }
  end
  local map = {}
  for k, x in pairs(v) do
    if type(k) ~= 'string' then
      error('wezterm.GLOBAL keys must be strings, got ' .. type(k) .. ' ' .. tostring(k) .. ' (at ' .. path .. ')', 0)
    end
    map[k] = to_value(x, path .. '.' .. k)
  end
  return { object = map }
end

local proxy_mt = {}
local function proxy(node)
  local p = setmetatable({}, proxy_mt)
  nodes[p] = node
  return p
end
local function read_value(v)
  if v == NULL then return nil end
  if type(v) == 'table' then return proxy(v) end
  return v
end
proxy_mt.__index = function(p, k)
  local node = nodes[p]
  if node.array then
    if math.type(k) ~= 'integer' then error('can only index arrays using integer values', 2) end
    if k <= 0 then error('invalid array index ' .. k, 2) end
    return read_value(node.array[k])
  end
  if type(k) ~= 'string' then error('can only index objects using string values', 2) end
  return read_value(node.object[k])
end
proxy_mt.__newindex = function(p, k, v)
  local node = nodes[p]
  if node.array then
    if math.type(k) ~= 'integer' then error('can only index arrays using integer values', 2) end
    if k <= 0 or k > #node.array + 1 then error('cannot make sparse array by inserting at ' .. k, 2) end
    node.array[k] = to_value(v, 'GLOBAL')
    return
  end
  if type(k) ~= 'string' then error('can only index objects using string values', 2) end
  node.object[k] = to_value(v, 'GLOBAL.' .. k)
end
proxy_mt.__len = function(p)
  local node = nodes[p]
  if node.array then return #node.array end
  local n = 0
  for _ in pairs(node.object) do n = n + 1 end
  return n
end
proxy_mt.__pairs = function(p)
  local node = nodes[p]
  if node.array then
    return function(_, i)
      i = i + 1
      if node.array[i] ~= nil then return i, read_value(node.array[i]) end
    end, p, 0
  end
  local keys = {}
  for k in pairs(node.object) do keys[#keys + 1] = k end
  table.sort(keys) -- a BTreeMap
  local i = 0
  return function()
    i = i + 1
    local k = keys[i]
    if k ~= nil then return k, read_value(node.object[k]) end
  end, p, nil
end
W.GLOBAL = proxy { object = {} }

--- Test helper: a GLOBAL value as plain Lua tables.
function W.plain(v)
  if type(v) ~= 'table' then return v end
  local t = {}
  for k, x in pairs(v) do t[k] = W.plain(x) end
  return t
end

-- ---- JSON (lua-api-crates/serde-funcs): json_parse raises on bad input; null is nil ----------------

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

-- ---- child processes: lua-api-crates/spawn-funcs/src/lib.rs ------------------------------------------

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

-- The argv is a Vec<String>: a list of strings (WezTerm would coerce numbers; here an error).
local function check_argv(argv)
  assert(type(argv) == 'table' and #argv > 0, 'an argv table with at least argv[0]')
  for k, a in pairs(argv) do
    assert(math.type(k) == 'integer' and type(a) == 'string', 'argv holds strings only, got ' .. type(a) .. ' at ' .. tostring(k))
  end
end

-- smol::process::Command::new(argv[0]).spawn() fails, and WezTerm raises, when argv[0] is not an
-- executable file (a name without '/' is looked up in PATH).
local function can_start(prog)
  return os.execute('p=' .. W.quote(prog) .. '; case $p in */*) [ -f "$p" ] && [ -x "$p" ] ;; ' ..
    '*) command -v -- "$p" >/dev/null 2>&1 ;; esac')
end

local function raise_unless_startable(argv)
  if not can_start(argv[1]) then error(argv[1] .. ': No such file or directory (os error 2)', 3) end
end

-- run_child_process: waits for the process; stdin is null (Command::output); returns success,
-- stdout, stderr.
function W.run_child_process(argv)
  check_argv(argv)
  table.insert(W.children, { argv = argv, background = false })
  raise_unless_startable(argv)
  local errfile = os.tmpname()
  local p = assert(io.popen(cmdline(argv) .. ' </dev/null 2>' .. W.quote(errfile), 'r'))
  local stdout = p:read 'a'
  local ok = p:close()
  local stderr = read_file(errfile)
  os.remove(errfile)
  return ok == true, stdout, stderr
end

-- background_child_process: spawns and returns at once (nothing waits for the child; stdin null,
-- stdout and stderr WezTerm's own, here a log file); raises when argv[0] cannot be started. Calls
-- overlap: each process runs while the next ones start.
W.background_log = os.tmpname()
function W.background_child_process(argv)
  check_argv(argv)
  local child = { argv = argv, background = true }
  table.insert(W.children, child)
  raise_unless_startable(argv)
  local p = assert(io.popen(cmdline(argv) .. ' </dev/null >>' .. W.quote(W.background_log) .. ' 2>&1 & echo $!'))
  child.pid = p:read 'l'
  p:close()
end

-- Not WezTerm: pids of background processes still running (not zombies).
local function running(pids)
  if #pids == 0 then return {} end
  local p = io.popen('ps -o pid=,stat= -p ' .. table.concat(pids, ',') .. ' 2>/dev/null')
  local alive = {}
  for pid, stat in p:read('a'):gmatch '(%d+)%s+(%S+)' do
    if not stat:match '^Z' then alive[#alive + 1] = pid end
  end
  p:close()
  return alive
end

--- Test helper: the background processes started so far that still run.
function W.background_running()
  local pids = {}
  for _, c in ipairs(W.children) do
    if c.pid then pids[#pids + 1] = c.pid end
  end
  return running(pids)
end

--- Test helper: wait (up to `seconds`) until every background process has ended; error if not.
function W.wait_background(seconds)
  local deadline = os.time() + (seconds or 30)
  while #W.background_running() > 0 do
    if os.time() > deadline then error('background processes still running: ' .. table.concat(W.background_running(), ' ')) end
    W.sleep_ms(20)
  end
end

function W.sleep_ms(ms) os.execute('sleep ' .. ms / 1000) end

-- ---- wezterm.plugin: lua-api-crates/plugin/src/lib.rs ----------------------------------------------

-- compute_repo_dir: the directory name of a plugin's clone, from its URL.
function W.repo_dir(url)
  local dir = url:gsub('[^%w%-_]', function(c)
    return ({ ['/'] = 'sZs', ['\\'] = 'sZs', [':'] = 'sCs', ['.'] = 'sDs' })[c] or ('u' .. utf8.codepoint(c))
  end)
  return (dir:gsub('sZs$', ''))
end

W.plugin = {}
-- require_plugin: the clone is DATA_DIR/plugins/<repo dir> (cloning is not done here: the test
-- puts it there), loaded with `require(<repo dir>)`, so the chunk gets the loader data.
function W.plugin.require(url)
  assert(type(url) == 'string', 'wezterm.plugin.require(url)')
  local component = W.repo_dir(url)
  local dir = W.data_dir .. '/plugins/' .. component
  if not os.execute('test -d ' .. W.quote(dir)) then error('the stand-in does not clone: no ' .. dir, 2) end
  return require(component)
end

-- list_plugins: every directory under plugins must be a git repository with a remote, whose URL it
-- reports (else the whole call raises).
function W.plugin.list()
  local out = {}
  local p = io.popen('ls -1 ' .. W.quote(W.data_dir .. '/plugins') .. ' 2>/dev/null')
  for component in p:read('a'):gmatch '[^\n]+' do
    local dir = W.data_dir .. '/plugins/' .. component
    if os.execute('test -d ' .. W.quote(dir)) then
      local url = read_file(dir .. '/.git/config'):match '%[remote "[^"]*"%][^%[]-url%s*=%s*([^\n]+)'
      if not url then error('failed to open the repository at ' .. dir .. ': no remotes', 2) end
      out[#out + 1] = { url = url, component = component, plugin_dir = dir }
    end
  end
  p:close()
  return out
end

-- ---- the mux: lua-api-crates/mux/src/{lib,window,tab,pane}.rs ------------------------------------------

local counters = { window = 0, tab = 0, pane = 0, client = 0 }
local windows = {}
W.tmpdir = os.getenv 'TV_TMP' or '/tmp'

-- A tab's command, run as WezTerm runs it: the argv as given, in the background, not waited for.
-- A `tmux ... attach-session` becomes a control-mode client (-C added before attach-session), its
-- stdin a fifo it holds open itself, so it stays until killed or detached. spawn_tab returns
-- before the client has attached (mux spawn_tab_or_window returns once the pty runs).
local function start_client(args)
  local at
  for i, a in ipairs(args) do
    if a == 'attach-session' then at = i end
  end
  if not at then return nil end
  local argv = {}
  for i, a in ipairs(args) do
    if i == at then argv[#argv + 1] = '-C' end
    argv[#argv + 1] = a
  end
  counters.client = counters.client + 1
  local fifo = string.format('%s/client-%d-%d', W.tmpdir, counters.client, math.random(1e9))
  assert(os.execute('mkfifo ' .. W.quote(fifo)))
  local p = io.popen(cmdline(argv) .. ' <>' .. W.quote(fifo) .. ' >/dev/null 2>' .. W.quote(fifo .. '.err') .. ' & echo $!')
  local pid = p:read 'l'
  p:close()
  return { pid = pid, fifo = fifo }
end

local Tab, MuxWindow, GuiWindow, Pane = {}, {}, {}, {}
Tab.__index, MuxWindow.__index, GuiWindow.__index, Pane.__index = Tab, MuxWindow, GuiWindow, Pane

-- SpawnTab { domain, args, cwd, set_environment_variables }: unknown fields are an error here.
local SPAWN_FIELDS = { domain = true, args = true, cwd = true, set_environment_variables = true }

-- SpawnTabDomain: the default is CurrentPaneDomain (config/src/keyassignment.rs).
local function resolve_domain(window, domain)
  if domain == nil or domain == 'CurrentPaneDomain' then
    local active = window.tabs_[#window.tabs_]
    return active and active.pane.domain or 'local'
  end
  if domain == 'DefaultDomain' then return 'local' end
  assert(type(domain) == 'table' and type(domain.DomainName) == 'string', 'domain: DefaultDomain, CurrentPaneDomain or { DomainName = NAME }')
  return domain.DomainName
end

local function new_tab(window, spec, domain)
  spec = spec or {}
  for k in pairs(spec) do assert(SPAWN_FIELDS[k], 'SpawnTab has no field ' .. tostring(k)) end
  if spec.args then check_argv(spec.args) end
  local tab = setmetatable({ id = counters.tab, window_ = window, args = spec.args, title = '' }, Tab)
  tab.pane = setmetatable({ id = counters.pane, tab = tab, domain = domain or resolve_domain(window, spec.domain) }, Pane)
  -- a domain other than local runs the command elsewhere (an SSH host, an exec domain's wrapper)
  if spec.args and tab.pane.domain == 'local' then
    if not can_start(spec.args[1]) then error(spec.args[1] .. ': No such file or directory', 2) end
    tab.client = start_client(spec.args)
  end
  counters.tab = counters.tab + 1
  counters.pane = counters.pane + 1
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
function Pane:get_domain_name() return self.domain end

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
function GuiWindow:perform_action(action, pane)
  table.insert(W.actions, { window = self.mux.id, action = action, pane = pane and pane:pane_id() })
end

W.mux = {}
function W.mux.all_windows() return { table.unpack(windows) } end
function W.mux.get_active_workspace() return 'default' end
-- SpawnWindow's domain defaults to DefaultDomain.
function W.mux.spawn_window(spec)
  local w = new_window()
  return new_tab(w, spec, spec and spec.domain and resolve_domain(w, spec.domain) or 'local')
end

--- Test helper: a window with one tab running the default program (no process here), in `domain`.
function W.new_window(domain)
  local w = new_window()
  new_tab(w, {}, domain or 'local')
  return w
end

--- Test helper: a GUI process starting (wezterm-gui/src/main.rs async_run_terminal_gui): gui-startup
--- with the command (nil without one), then, when no window was made, the default window.
function W.gui_startup(cmd)
  W.fire('gui-startup', cmd)
  if #windows == 0 then W.new_window() end
  return windows[1]
end

--- Test helper: an InputSelector shown with perform_action, answered with the choice `id`.
function W.choose(gui, id)
  for i = #W.actions, 1, -1 do
    local a = W.actions[i].action
    if a.action == 'InputSelector' then
      local label
      for _, c in ipairs(a.arg.choices) do
        if c.id == id then label = c.label end
      end
      return W.press(a.arg.action, gui, gui:active_pane(), id, label)
    end
  end
  error('no InputSelector was shown')
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
