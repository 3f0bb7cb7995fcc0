#!/bin/sh
# Installs what building and testing ckpt needs on Debian 12, as root.
# Idempotent: silent and without apt-get when everything is present.
set -eu

# llvm-14-tools: lit and FileCheck-14. libclang-rt-14-dev: libFuzzer and
# the sanitizers for the image fuzzer (only recommended by clang, and
# recommendations are not installed). llvm-14: llvm-profdata-14 and
# llvm-cov-14, for the coverage ninja fuzz prints. libcap2-bin: capsh,
# for tests that drop a capability. perl and lua5.4 (with python3): real
# programs that ckpt run checkpoints unmodified. sqlite3 and
# libsqlite3-dev: a database restored with CKPT_FILES=snapshot
# (tests/files-sqlite.test).
PACKAGES="gcc g++ python3 ninja-build llvm-14-tools clang libclang-rt-14-dev
llvm-14 sqlite3 libsqlite3-dev
qemu-user-static gcc-aarch64-linux-gnu g++-aarch64-linux-gnu
libc6-dev-arm64-cross libcap2-bin perl lua5.4"

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null |
		grep -q 'install ok installed'
}

missing=
for pkg in $PACKAGES; do
	installed "$pkg" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "setup-debian.sh: missing packages:$missing" >&2
	echo "setup-debian.sh: run me as root to install them" >&2
	exit 1
fi

echo "setup-debian.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q </dev/null
# shellcheck disable=SC2086 # one word per package
apt-get install -y -q --no-install-recommends $missing </dev/null
