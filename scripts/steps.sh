# steps.sh: named, timed steps for scripts/test.sh (sourced, not run).
#
#   step NAME CMD...        runs CMD now; the script stops if it fails
#   step_bg NAME CMD...     starts CMD in the background, its output kept aside
#   step_wait NAME          waits for a background step, prints its output,
#                           and stops the script if it failed
#
# When the script ends, passed or failed, it prints every step with its
# seconds, so a step that grows shows up in the log of the run that made it
# grow. A step in the background when the script fails is stopped.

_steps_dir="$(mktemp -d "${TMPDIR:-/tmp}/huecast-steps.XXXXXX")"
_steps_t0=$EPOCHREALTIME
_steps=()                 # names, in the order they started
declare -A _steps_pid=()  # background steps: the subshell's PID

# _steps_now prints the seconds since the epoch, to the millisecond.
_steps_now() { printf '%s\n' "${EPOCHREALTIME:0:-3}"; }

# _steps_record NAME RC START writes how a step ended, for the summary.
_steps_record() {
	local end
	end=$(_steps_now)
	printf '%s %s %s\n' "$2" "$3" "$end" >"$_steps_dir/$1.done"
}

step() {
	local name=$1 start rc=0
	shift
	_steps+=("$name")
	echo "=== $name: $*"
	start=$(_steps_now)
	# CMD runs as a job of its own, so that `set -e` holds inside a shell
	# function given as CMD (bash ignores it in `CMD || rc=$?`).
	"$@" &
	wait "$!" || rc=$?
	_steps_record "$name" "$rc" "$start"
	return "$rc"
}

step_bg() {
	local name=$1
	shift
	_steps+=("$name")
	echo "=== $name (in the background): $*"
	(
		start=$(_steps_now)
		rc=0
		"$@" &
		wait "$!" || rc=$?
		_steps_record "$name" "$rc" "$start"
		exit "$rc"
	) >"$_steps_dir/$name.log" 2>&1 </dev/null &
	_steps_pid[$name]=$!
}

step_wait() {
	local name=$1 rc=0
	wait "${_steps_pid[$name]}" || rc=$?
	unset "_steps_pid[$name]"
	echo "=== $name (output of the background step)"
	cat "$_steps_dir/$name.log"
	[[ $rc == 0 ]] || echo "=== $name FAILED (exit $rc)"
	return "$rc"
}

# _steps_kill_tree PID stops PID and every process below it, children first
# so that none is left behind under init.
_steps_kill_tree() {
	local child
	for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		_steps_kill_tree "$child"
	done
	kill "$1" 2>/dev/null || true
}

# _steps_summary prints one line per step: seconds and how it ended.
_steps_summary() {
	local rc=$? name pid status secs line code start end
	for name in "${!_steps_pid[@]}"; do
		pid=${_steps_pid[$name]}
		_steps_kill_tree "$pid"
		wait "$pid" 2>/dev/null || true
		echo "=== $name (stopped; its output so far)"
		cat "$_steps_dir/$name.log"
	done
	echo
	echo "=== time per step (seconds; background steps overlap the ones after them)"
	for name in "${_steps[@]}"; do
		if [[ -f $_steps_dir/$name.done ]]; then
			read -r code start end <"$_steps_dir/$name.done"
			secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
			status=ok
			[[ $code == 0 ]] || status="FAILED (exit $code)"
		else
			secs=-
			status=stopped
		fi
		printf '%8s  %-24s %s\n' "$secs" "$name" "$status"
	done
	line=$(awk -v a="$_steps_t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	printf '%8s  %-24s %s\n' "$line" total "$([[ $rc == 0 ]] && echo ok || echo "FAILED (exit $rc)")"
	rm -rf "$_steps_dir"
	return "$rc"
}
trap _steps_summary EXIT
