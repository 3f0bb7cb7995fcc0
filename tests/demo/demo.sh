#!/bin/sh
# Demo: checkpoint a counting app with SIGUSR2, kill it, restore it.
# usage: sh tests/demo/demo.sh RUNTIME RESTORER   (from the repository root)
# Build products go to build/demo/.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 RUNTIME RESTORER" >&2
	exit 2
fi
abspath() { (cd "$(dirname "$1")" && echo "$(pwd)/$(basename "$1")"); }
runtime=$(abspath "$1")
restorer=$(abspath "$2")
src=$(cd "$(dirname "$0")/../.." && pwd)
out=$src/build/demo
cc=${CC:-cc}

mkdir -p "$out"
cd "$out"
rm -f counter.ckpt
echo "== building counter: $cc counter.c runtime.o"
$cc -O2 -g -I"$src/runtime" "$src/tests/demo/counter.c" "$runtime" -o counter

pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill -9 "$pid" 2>/dev/null || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== starting counter"
./counter &
pid=$!
sleep 1.1

echo "== checkpoint: kill -USR2 $pid"
kill -USR2 "$pid"
tries=0
until [ -f counter.ckpt ]; do # the runtime renames it into place when whole
	tries=$((tries + 1))
	if [ $tries -gt 500 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "== no image after 10 s: the checkpoint failed" >&2
		exit 1
	fi
	sleep 0.02
done
# Kill at once: a tick the counter prints after its checkpoint would be
# printed again by the restored one.
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
pid=
echo "== image written: $(wc -c <counter.ckpt) bytes"
echo "== killed the counter (kill -9)"
sleep 0.5

echo "== restoring from counter.ckpt"
status=0
"$restorer" counter.ckpt || status=$?
echo "== restored counter exited with status $status"
exit $status
