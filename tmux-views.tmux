#!/usr/bin/env bash
# tmux-views: the plugin entry. TPM runs every *.tmux file of a plugin with the shell, inside the
# tmux server ($TMUX is set); without TPM, `run-shell /path/to/tmux-views/tmux-views.tmux` (or
# `source-file /path/to/tmux-views/tmux-views.conf`) does the same.
#
# Wiring only: read the @tmux-views-* options, install or remove the cleanup hooks on
# client-detached and client-session-changed (the compiled on-detach does that), bind the
# optional sweep key. It never fails TPM: a problem is a one-line tmux message and exit 0. Written for bash 3.2 (macOS /bin/bash) and newer.
#
#   @tmux-views-hook       on   on: install the hooks client-detached[48] and
#                               client-session-changed[48]; off: remove them
#   @tmux-views-node       ''   the node binary ('' = node on PATH, then usual install places)
#   @tmux-views-sweep-key  ''   a key: prefix + KEY sweeps this server now ('' = no binding)

CURRENT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# The server that runs us. $TMUX is "SOCKET,PID,SESSION"; while tmux reads its config at start
# SESSION is -1, and the socket path itself may hold commas: strip exactly the last two fields.
SOCKET=''
if [ -n "${TMUX:-}" ]; then SOCKET="${TMUX%,*,*}"; fi

tm() {
	if [ -n "$SOCKET" ]; then tmux -S "$SOCKET" "$@"; else tmux "$@"; fi
}

get_tmux_option() {
	local value
	value="$(tm show-option -gqv "$1" 2>/dev/null)"
	if [ -n "$value" ]; then printf '%s' "$value"; else printf '%s' "$2"; fi
}

# POSIX shell single quotes (run-shell runs /bin/sh, not bash: no $'...').
sh_quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# A value for tmux's own command parser: single quotes when possible, else double quotes with
# \ " $ escaped (what quoteForTmux() in lib/tmux.ts does).
tmux_quote() {
	case $1 in
	*"'"*) printf '"%s"' "$(printf '%s' "$1" | sed 's/[\\"$]/\\&/g')" ;;
	*) printf "'%s'" "$1" ;;
	esac
}

# A one-line message in the status line. display-message expands formats and strftime, so # and %
# are doubled. While tmux starts no client is attached yet: then the message waits for the first
# client to attach, once (a one-shot hook at a fixed index, so a restart never stacks them).
message() {
	local text="tmux-views: $1" shown
	printf '%s\n' "$text" >&2
	shown="$(printf '%s' "$text" | sed 's/[#%]/&&/g')"
	if [ -n "$(tm list-clients -F x 2>/dev/null)" ] && tm display-message -d 10000 "$shown" 2>/dev/null; then
		return 0
	fi
	tm set-hook -g 'client-attached[49]' \
		"display-message -d 10000 $(tmux_quote "$shown") ; set-hook -gu 'client-attached[49]'" 2>/dev/null || true
}

# node: @tmux-views-node, else PATH, else where installers put it (tmux started by a GUI app or
# launchd on macOS has PATH=/usr/bin:/bin:/usr/sbin:/sbin). Printed as an absolute path.
find_node() {
	local wanted candidate
	wanted="$(get_tmux_option @tmux-views-node '')"
	if [ -n "$wanted" ]; then
		command -v -- "$wanted" 2>/dev/null
		return
	fi
	for candidate in "$(command -v node 2>/dev/null)" /opt/homebrew/bin/node /usr/local/bin/node \
		"${HOME:-/nonexistent}/.volta/bin/node" "${HOME:-/nonexistent}/.nix-profile/bin/node" /run/current-system/sw/bin/node; do
		if [ -n "$candidate" ] && [ -x "$candidate" ]; then
			printf '%s' "$candidate"
			return 0
		fi
	done
	return 1
}

main() {
	local on_detach="$CURRENT_DIR/dist/scripts/on-detach.cjs" sweep="$CURRENT_DIR/dist/scripts/sweep.cjs"
	local node hook key flag out script cmd
	if [ ! -f "$on_detach" ] || [ ! -f "$sweep" ]; then
		message "not built: run 'npm ci' in $CURRENT_DIR"
		return 0
	fi
	if ! node="$(find_node)" || [ -z "$node" ]; then
		message "node not found: set @tmux-views-node to its absolute path (now '$(get_tmux_option @tmux-views-node '')')"
		return 0
	fi

	hook="$(get_tmux_option @tmux-views-hook on)"
	case $hook in
	on | yes | true | 1) flag=--install ;;
	off | no | false | 0) flag=--uninstall ;;
	*)
		message "@tmux-views-hook wants on or off, not '$hook'"
		flag=''
		;;
	esac
	if [ -n "$flag" ]; then
		# -S: on-detach would read $TMUX itself, but not the ",-1" tmux sets while it starts.
		if [ -n "$SOCKET" ]; then
			out="$("$node" "$on_detach" "$flag" -S "$SOCKET" 2>&1)"
		else
			out="$("$node" "$on_detach" "$flag" 2>&1)"
		fi || message "on-detach $flag failed: $(printf '%s' "$out" | head -n 1)"
		# dist/ built from another commit than the checkout is at (after git pull or prefix U):
		# on-detach says so in one line; show it.
		stale="$(printf '%s\n' "$out" | grep 'dist/ was built from' | head -n 1)"
		if [ -n "$stale" ]; then message "${stale#on-detach: }"; fi
	fi

	key="$(get_tmux_option @tmux-views-sweep-key '')"
	if [ -n "$key" ]; then
		# The binding: run-shell -b runs it with /bin/sh (tmux 3.5 alone: with default-shell, which
		# may be fish or csh), so it is /bin/sh and single-quoted words only. The script is fixed text
		# without single quotes or backslashes; node and sweep come in as $1 and $2. No session name
		# is in it: sweep takes the server from the $TMUX that run-shell sets and prints a count,
		# shown with display-message for 5 s (tmux's display-time, 750 ms, is too short to read it;
		# # and % doubled: it expands formats and strftime). NODE_OPTIONS
		# goes as in the hook (npm's --import=tsx breaks node outside this checkout). The whole
		# has # doubled as run-shell expands formats; bind-key gets it as one argument, unparsed.
		script='unset NODE_OPTIONS; out=$("$1" "$2" --by manual -S "${TMUX%,*,*}" 2>&1); tmux -S "${TMUX%,*,*}" display-message -d 5000 "tmux-views: $(printf %s "$out" | tr -s "[:space:]" " " | sed "s/[#%]/&&/g")" >/dev/null 2>&1 || true'
		cmd="'/bin/sh' -c '$script' tmux-views $(sh_quote "$node") $(sh_quote "$sweep")"
		cmd="$(printf '%s' "$cmd" | sed 's/#/##/g')"
		# A key tmux (or the user, or another plugin) already binds: say what it did before. Our
		# own binding from an earlier load (its command holds 'tmux-views') is no news. The whole
		# table is read: tmux 3.7c prints nothing for 'list-keys -T prefix KEY'.
		bound="$(tm list-keys -T prefix 2>/dev/null | awk -v k="$key" '{ for (i = 1; i < NF; i++) if ($i == "-T") { if ($(i + 2) == k || $(i + 2) == "\\" k) { $1 = $2 = $3 = ""; if ($4 == k || $4 == "\\" k) $4 = ""; print } break } }')"
		case $bound in
		'' | *tmux-views*) ;;
		*) message "prefix + $key was bound to$(printf '%s' "$bound" | tr -s ' ' ' ' | cut -c1-60); it now sweeps (@tmux-views-sweep-key: choose a free key, e.g. V)" ;;
		esac
		tm bind-key -T prefix "$key" run-shell -b "$cmd" 2>/dev/null ||
			message "cannot bind '$key' (@tmux-views-sweep-key)"
	fi
	return 0
}

main
exit 0
