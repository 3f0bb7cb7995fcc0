#!/bin/sh
# cli_cycle.sh CKPT OUT IMAGE -- PROGRAM ARGS...: the workflow of a user
# of the ckpt command. ckpt run PROGRAM (output to OUT), wait for its
# line 5, ckpt checkpoint PID, kill it, ckpt restore IMAGE (the restored
# process writes to OUT itself: its stdout is that file again), then the
# same once more from its line 25: two generations. Prints what ckpt says.
set -u
ckpt=$1 out=$2 image=$3
shift 4
wait_line() { # wait_line N: until OUT has N lines (bounded: 60 s)
	i=0
	while [ "$(wc -l < "$out")" -lt "$1" ] && [ $i -lt 600 ]; do
		sleep 0.1; i=$((i + 1))
	done
}
rm -f "$out" "$image" "$image.status"
# Not O_APPEND: the restored process writes its lines again from where it
# was, over what the killed one wrote after the checkpoint.
: > "$out"
$ckpt run --image "$image" -- "$@" > "$out" 2>/dev/null &
pid=$!
wait_line 5
$ckpt checkpoint "$pid" > /dev/null && echo "checkpoint 1: ok"
kill -9 "$pid"; wait "$pid" 2>/dev/null
$ckpt restore "$image" > /dev/null 2>&1 &
pid=$!
wait_line 25
$ckpt checkpoint "$pid" > /dev/null && echo "checkpoint 2: ok"
kill -9 "$pid"; wait "$pid" 2>/dev/null
$ckpt restore "$image" > /dev/null 2>&1
echo "restored: exit $?"
