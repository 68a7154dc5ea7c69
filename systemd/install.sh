#!/usr/bin/env bash
# Install (or remove) the tmux-views sweep timer as systemd user units: fills the absolute paths of
# node, tmux and this checkout into systemd/tmux-views-sweep.{service,timer} and writes them to
# ${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user/, then enables the timer.
set -euo pipefail

usage() {
	cat <<'EOF'
Usage: systemd/install.sh [--no-enable] [--node PATH]
       systemd/install.sh --uninstall [--no-enable]

Write tmux-views-sweep.service and tmux-views-sweep.timer (systemd user units)
with this checkout's absolute paths into ${XDG_CONFIG_HOME:-~/.config}/systemd/user/,
then run: systemctl --user daemon-reload && systemctl --user enable --now tmux-views-sweep.timer

Options:
  --no-enable    only write (or, with --uninstall, remove) the files; never call systemctl
  --uninstall    disable the timer and remove both units
  --node PATH    the node to run (default: node on PATH); tmux: $TMUX_VIEWS_TMUX, else tmux on PATH
  -h, --help     show this help

Run it again after moving the checkout or changing node.
EOF
}

die() {
	printf 'install.sh: %s\n' "$1" >&2
	exit 1
}

enable=1
uninstall=0
node=''
while (($#)); do
	case $1 in
	--no-enable) enable=0 ;;
	--uninstall) uninstall=1 ;;
	--node)
		(($# > 1)) || { printf 'install.sh: --node needs a value\n' >&2; exit 2; }
		node=$2
		shift
		;;
	--node=*) node=${1#--node=} ;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		printf 'install.sh: unknown argument: %s\n' "$1" >&2
		usage >&2
		exit 2
		;;
	esac
	shift
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
case ${XDG_CONFIG_HOME:-} in
/*) unit_dir="$XDG_CONFIG_HOME/systemd/user" ;;
*) unit_dir="$HOME/.config/systemd/user" ;; # the XDG rule: a relative value is ignored
esac
units=(tmux-views-sweep.service tmux-views-sweep.timer)

if ((uninstall)); then
	if ((enable)); then
		systemctl --user disable --now tmux-views-sweep.timer >/dev/null 2>&1 || true
		systemctl --user stop tmux-views-sweep.service >/dev/null 2>&1 || true
	fi
	for unit in "${units[@]}"; do
		rm -f -- "$unit_dir/$unit"
	done
	if ((enable)); then
		systemctl --user daemon-reload
	fi
	printf 'Removed %s and %s from %s\n' "${units[0]}" "${units[1]}" "$unit_dir"
	exit 0
fi

sweep="$root/dist/scripts/sweep.cjs"
[[ -f $sweep ]] || die "$sweep is missing: run 'npm ci' in $root first"
if [[ -z $node ]]; then
	node="$(command -v node || true)"
	[[ -n $node ]] || die "node is not on PATH: give its absolute path with --node PATH"
fi
# Not resolved through symlinks on purpose: Homebrew's /opt/homebrew/bin/node survives upgrades,
# the versioned path it points to does not.
[[ $node == /* ]] || node="$(command -v -- "$node" || true)"
[[ $node == /* && -x $node ]] || die "node '$node' is not an executable absolute path"
"$node" "$sweep" --help >/dev/null 2>&1 || die "'$node $sweep --help' failed: is node 20 or newer?"
tmux_bin="${TMUX_VIEWS_TMUX:-$(command -v tmux || true)}"
if [[ -z $tmux_bin ]]; then
	printf 'install.sh: tmux is not on PATH; the service will look for it on its own PATH\n' >&2
	tmux_bin=tmux
fi

# systemd's unit syntax: inside double quotes \ and " are escaped and % starts a specifier (%%).
# ExecStart= arguments also expand $VAR ($$ is a literal $); the program itself does not, and
# systemd refuses one whose path holds a quote or a backslash. Environment= values: no $.
exec_arg() { printf '%s' "$1" | sed -e 's/[\\"]/\\&/g' -e 's/%/%%/g' -e 's/\$/$$/g'; }
exec_program() { printf '%s' "$1" | sed -e 's/%/%%/g'; }
env_value() { printf '%s' "$1" | sed -e 's/[\\"]/\\&/g' -e 's/%/%%/g'; }
case $node in
*[\'\\\"]*) die "systemd cannot run a program whose path holds a quote or a backslash: $node (give --node a symlink elsewhere)" ;;
esac
for value in "$root" "$node" "$tmux_bin" "${TMUX_TMPDIR:-}"; do
	[[ $value != *$'\n'* ]] || die "a path holds a newline, which a unit file cannot: $value"
done

root_v="$(exec_arg "$root")"
node_v="$(exec_program "$node")"
tmux_v="$(env_value "$tmux_bin")"
tmpdir_v="$(env_value "${TMUX_TMPDIR:-}")"

mkdir -p -- "$unit_dir"
for unit in "${units[@]}"; do
	tmp="$unit_dir/.$unit.tmp.$$"
	while IFS= read -r line || [[ -n $line ]]; do
		line=${line//@ROOT@/"$root_v"}
		line=${line//@NODE@/"$node_v"}
		line=${line//@TMUX_TMPDIR@/"$tmpdir_v"}
		line=${line//@TMUX@/"$tmux_v"}
		printf '%s\n' "$line"
	done <"$here/$unit" >"$tmp"
	mv -f -- "$tmp" "$unit_dir/$unit"
done
printf 'Wrote %s and %s to %s\n' "${units[0]}" "${units[1]}" "$unit_dir"

if ((enable)); then
	systemctl --user daemon-reload
	systemctl --user enable --now tmux-views-sweep.timer
	printf 'Enabled tmux-views-sweep.timer: systemctl --user list-timers tmux-views-sweep.timer\n'
else
	printf 'Not enabled. To start it: systemctl --user daemon-reload && systemctl --user enable --now tmux-views-sweep.timer\n'
fi
