#!/usr/bin/env bash
# bench/run.sh: huecast's hub and the Socket.IO reference under the same
# load, in the same run, on loopback. Prints Markdown tables, one row per
# case, each with the exact load command; the servers are started fresh for
# every case (their commands are printed above the tables).
#
# Usage: bench/run.sh [full|ci|saturation]
#   full        (default) N in $NS at $RATE colours/s, idle memory, TCP floor
#   ci          N=100 for a few seconds; exits 1 if huecast's p50 is worse
#               than Socket.IO's in this run (or if a case cannot run)
#   saturation  for each N in $SAT_NS, the highest rate at which p99 stays
#               under $SAT_P99_MS ms with every colour delivered, for both;
#               at most $SAT_STEPS rates per server and N, $SAT_BUDGET s in all;
#               a rate holds if one of $SAT_TRIES runs at it holds
#
# "huecast" is the headless build (go build -tags nowindow, what `make headless`
# ships: the same hub and peer without Fyne); in full mode "huecast-desktop",
# the windowed binary run with --headless, is measured beside it.
#
# Environment (defaults in brackets):
#   HUECAST_BIN   the headless huecast binary [built from the repo root into a temp dir]
#   HUECAST_DESKTOP_BIN  the desktop build [built likewise, in full mode only]
#   DESKTOP [1 in full mode, else 0]  measure the desktop build too
#   NS [10 100 500 1000]  RATE [100]  DURATION [5s]  WARMUP [1s]  SENDERS [1]
#   IDLE_N [1000] (0 skips)   IDLE_HOLD [2s]
#   SAT_NS [100 500]  SAT_P99_MS [50]  SAT_DURATION [3s]  SAT_STEPS [12]  SAT_TRIES [2]
#   SAT_BUDGET [900] (seconds for the whole saturation run)
#   CASE_TIMEOUT [120] (seconds for one load run; it is killed after that)
#
# Needs go, node (20+) and bench/socketio/node_modules (npm ci is run there
# when it is missing).
set -euo pipefail

mode=${1:-full}
case $mode in
full | ci | saturation) ;;
*)
	echo "usage: bench/run.sh [full|ci|saturation]" >&2
	exit 2
	;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
server_pid=
cleanup() {
	if [[ -n $server_pid ]]; then stop_server; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

RATE=${RATE:-100}
DURATION=${DURATION:-5s}
WARMUP=${WARMUP:-1s}
SENDERS=${SENDERS:-1}
NS=${NS:-10 100 500 1000}
IDLE_N=${IDLE_N:-1000}
SAT_NS=${SAT_NS:-100 500}
SAT_P99_MS=${SAT_P99_MS:-50}
SAT_DURATION=${SAT_DURATION:-3s}
SAT_STEPS=${SAT_STEPS:-12}
SAT_TRIES=${SAT_TRIES:-2}
SAT_BUDGET=${SAT_BUDGET:-900}
IDLE_HOLD=${IDLE_HOLD:-2s}
CASE_TIMEOUT=${CASE_TIMEOUT:-120}
DESKTOP=${DESKTOP:-$([[ $mode == full ]] && echo 1 || echo 0)}
if [[ $mode == ci ]]; then
	NS=100 DURATION=3s IDLE_N=0
fi
servers="huecast socketio"
if ((DESKTOP)); then servers="huecast huecast-desktop socketio"; fi

say() { echo "$*" >&2; }

# --- build and install what the run needs ---------------------------------
load="$tmp/huecast-load"
(cd "$root" && go build -o "$load" ./bench/cmd/huecast-load)
if [[ -z ${HUECAST_BIN:-} ]]; then
	HUECAST_BIN="$tmp/huecast"
	say "building huecast's headless build into $HUECAST_BIN"
	(cd "$root" && CGO_ENABLED=0 go build -tags nowindow -o "$HUECAST_BIN" .)
fi
if ((DESKTOP)) && [[ -z ${HUECAST_DESKTOP_BIN:-} ]]; then
	HUECAST_DESKTOP_BIN="$tmp/huecast-desktop"
	say "building huecast's desktop build into $HUECAST_DESKTOP_BIN"
	(cd "$root" && go build -o "$HUECAST_DESKTOP_BIN" .)
fi
sio_dir="$root/bench/socketio"
if [[ ! -d $sio_dir/node_modules/socket.io ]]; then
	say "installing the Socket.IO reference's pinned packages (npm ci)"
	(cd "$sio_dir" && npm ci --no-audit --no-fund >&2)
fi
# 1000 clients need more than the usual 1024 descriptors, in the servers too.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# --- servers ---------------------------------------------------------------
# start_server huecast|huecast-desktop|socketio: starts a fresh server on a
# free loopback port and sets server_pid, server_port and server_cmd.
start_server() {
	server_port=$("$load" -free-port)
	case $1 in
	huecast | huecast-desktop)
		local bin=$HUECAST_BIN
		if [[ $1 == huecast-desktop ]]; then bin=$HUECAST_DESKTOP_BIN; fi
		# One sender sends every colour (RATE/s): lift the per-client limit.
		server_cmd="$bin --headless --host --no-mdns --color-rate -1 --listen 127.0.0.1:$server_port"
		"$bin" --headless --host --no-mdns --color-rate -1 --listen "127.0.0.1:$server_port" \
			</dev/null >"$tmp/$1.out" 2>"$tmp/$1.err" &
		;;
	socketio)
		server_cmd="node bench/socketio/server.js $server_port"
		node "$sio_dir/server.js" "$server_port" </dev/null >"$tmp/socketio.out" 2>"$tmp/socketio.err" &
		;;
	esac
	server_pid=$!
	local i
	for ((i = 0; i < 150; i++)); do # at most 15 s
		if ! kill -0 "$server_pid" 2>/dev/null; then
			say "$1 exited before listening:"
			cat "$tmp/$1.err" >&2
			server_pid=
			return 1
		fi
		if (exec 3<>"/dev/tcp/127.0.0.1/$server_port") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	say "$1 did not listen on 127.0.0.1:$server_port within 15 s"
	stop_server
	return 1
}

# stop_server stops the server this script started, by its PID.
stop_server() {
	local i
	kill -TERM "$server_pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do # at most 5 s
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$server_pid" 2>/dev/null || true
	wait "$server_pid" 2>/dev/null || true
	server_pid=
}

# proto SERVER: the protocol the load tool speaks to SERVER.
proto() { if [[ $1 == socketio ]]; then echo socketio; else echo huecast; fi; }

# json_field NAME FILE: a number from the tool's JSON line.
json_field() { sed -n "s/.*\"$1\":\([-0-9.e+]*\).*/\1/p" "$2" | head -n1; }

# run_case LABEL SERVER ARGS...: runs the load tool against a fresh SERVER
# and prints its Markdown row with the exact command; the JSON line is left
# in $tmp/LABEL.json. Returns non-zero if the case could not run.
run_case() {
	local label=$1 server=$2
	shift 2
	start_server "$server" || return 1
	local args=(-addr "127.0.0.1:$server_port" -pid "$server_pid" "$@")
	local cmd="huecast-load ${args[*]}"
	say "# $server_cmd"
	say "# $cmd"
	local rc=0
	timeout --kill-after=5 "$CASE_TIMEOUT" "$load" "${args[@]}" -json -md "$label" >"$tmp/out" || rc=$?
	stop_server
	if ((rc != 0)); then
		say "$label: the load tool failed (exit $rc)"
		echo "| $label | failed: see stderr | \`$cmd\` |"
		return 1
	fi
	sed -n 1p "$tmp/out" >"$tmp/$label.json"
	echo "$(sed -n 2p "$tmp/out") \`$cmd\` |"
}

failed=0
trap 'echo; echo "load average at the end: $(cut -d" " -f1-3 /proc/loadavg)"; cleanup' EXIT
echo "huecast-load on $(nproc) cores, $(uname -sr), node $(node --version), $(go version | cut -d' ' -f3)"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every figure; both servers share it)"
echo "servers (fresh for every row): huecast \`$HUECAST_BIN --headless --host --no-mdns --color-rate -1 --listen 127.0.0.1:PORT\` (the headless build), socketio \`node bench/socketio/server.js PORT\`"
if ((DESKTOP)); then echo "and huecast-desktop: \`$HUECAST_DESKTOP_BIN\` (the windowed build, Fyne linked in) with the same flags"; fi
echo

if [[ $mode == saturation ]]; then
	# holds FILE: every colour sent on time and delivered, and p99 under the bound.
	holds() {
		awk -v p99="$(json_field p99_ms "$1")" -v want="$(json_field expected "$1")" \
			-v got="$(json_field delivered "$1")" -v sent="$(json_field sent_per_s "$1")" \
			-v rate="$2" -v bound="$SAT_P99_MS" \
			'BEGIN { exit !(p99 < bound && got >= want && want > 0 && sent >= 0.95 * rate) }'
	}
	echo "Saturation: the highest rate at which p99 < $SAT_P99_MS ms, every colour is delivered and sent on time"
	echo
	"$load" -md-header load
	for n in $SAT_NS; do
		for server in huecast socketio; do
			# Double from 50/s until it breaks, then halve the gap 3 times;
			# at most SAT_STEPS rates, and none once SAT_BUDGET is spent.
			good=0 bad=0 rate=50 best_row= steps=0
			while ((bad == 0 || bad - good > good / 8)) && ((rate <= 100000)); do
				if ((steps >= SAT_STEPS || SECONDS >= SAT_BUDGET)); then
					say "$server N=$n: stopped after $steps rates, ${SECONDS}s (SAT_STEPS=$SAT_STEPS, SAT_BUDGET=$SAT_BUDGET)"
					break
				fi
				steps=$((steps + 1))
				# A stall from other work on the machine can break one short
				# run at any rate; a rate holds if one of SAT_TRIES runs does.
				held=0
				for ((try = 1; try <= SAT_TRIES; try++)); do
					row=$(run_case "$server" "$server" -proto "$server" -n "$n" -rate "$rate" \
						-duration "$SAT_DURATION" -warmup "$WARMUP" -senders "$SENDERS") || row=
					if [[ -n $row ]] && holds "$tmp/$server.json" "$rate"; then
						held=1
						break
					fi
				done
				if ((held)); then
					good=$rate best_row=$row
					say "$server N=$n: $rate/s holds (run $try)"
				else
					bad=$rate
					say "$server N=$n: $rate/s breaks ($SAT_TRIES runs)"
				fi
				if ((bad == 0)); then rate=$((rate * 2)); else rate=$(((good + bad) / 2)); fi
				((rate > good)) || break
			done
			if [[ -n $best_row ]]; then echo "$best_row"; else echo "| $server | $n | none held, down to $bad/s | | | | | | | | | | |"; fi
			if ((bad > 0)); then bracket="breaks at $bad/s"; else bracket="did not break up to $good/s"; fi
			echo "$server N=$n: holds at $good/s, $bracket ($steps rates tried)" >>"$tmp/brackets"
		done
	done
	echo
	sed 's/^/- /' "$tmp/brackets"
	exit 0
fi

echo "Load: $RATE colours/s from $SENDERS sender(s) for $DURATION after a $WARMUP warm-up; latency is send → receipt at every client but the sender"
echo
"$load" -md-header load
for n in $NS; do
	# In ci mode a second paired run decides when huecast was slower in the
	# first: one pair on a busy 2-core runner can swap by noise alone; a
	# real regression loses both.
	for try in 1 2; do
		for server in $servers; do
			run_case "$server" "$server" -proto "$(proto "$server")" -n "$n" -rate "$RATE" -duration "$DURATION" \
				-warmup "$WARMUP" -senders "$SENDERS" || failed=1
		done
		[[ $mode == ci ]] || break
		h=$(json_field p50_ms "$tmp/huecast.json" 2>/dev/null || true)
		s=$(json_field p50_ms "$tmp/socketio.json" 2>/dev/null || true)
		if [[ -z $h || -z $s ]]; then
			say "ci: a case did not run"
			exit 1
		fi
		if awk -v h="$h" -v s="$s" 'BEGIN { exit !(h > s) }'; then
			if ((try == 2)); then
				say "ci: FAIL: huecast's p50 $h ms is worse than Socket.IO's $s ms at N=$n, in both paired runs"
				exit 1
			fi
			say "ci: huecast's p50 $h ms is worse than Socket.IO's $s ms at N=$n; a second paired run decides"
			continue
		fi
		say "ci: ok: huecast's p50 $h ms, Socket.IO's $s ms at N=$n"
		break
	done
done

if ((IDLE_N > 0)); then
	echo
	echo "Idle memory: RSS with $IDLE_N idle clients minus RSS with none, per connection"
	echo
	"$load" -md-header idle
	for server in $servers; do
		run_case "$server" "$server" -idle -proto "$(proto "$server")" -n "$IDLE_N" -idle-hold "$IDLE_HOLD" || failed=1
	done
fi

if [[ $mode == full ]]; then
	echo
	echo "Floor: a plain TCP round trip on loopback (client → echo → client, the same two hops as sender → hub → receiver)"
	echo
	"$load" -md-header tcp-floor
	cmd=(-tcp-floor -rate "$RATE" -duration "$DURATION" -warmup "$WARMUP")
	timeout --kill-after=5 "$CASE_TIMEOUT" "$load" "${cmd[@]}" -md "tcp floor" >"$tmp/out" || failed=1
	echo "$(cat "$tmp/out") \`huecast-load ${cmd[*]}\` |"
fi
exit $failed
