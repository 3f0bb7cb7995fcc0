#!/bin/sh
# Links the restorer at BASE and proves that its bytes do not depend on
# where it sits: linked again at PROBE_BASE, every loaded byte must be the
# same. The restorer copies itself elsewhere when an image claims its
# range, so an absolute address anywhere in it would be a latent crash.
#
# usage: link-restorer.sh OUT CXX OBJCOPY BASE PROBE_BASE OBJECTS...
set -eu
out=$1 cxx=$2 objcopy=$3 base=$4 probe=$5
shift 5
lds=$(dirname "$0")/restorer.lds
link_objects() {
	target=$1 file=$2
	shift 2
	"$cxx" -nostdlib -static -no-pie -Wl,--no-dynamic-linker \
		-Wl,--build-id=none -Wl,-z,noexecstack -Wl,-z,norelro \
		-Wl,--orphan-handling=error -Wl,-T,"$lds" -Wl,--defsym=restorer_base="$target" -o "$file" "$@"
}
link_objects "$base" "$out.tmp" "$@"
link_objects "$probe" "$out.probe" "$@"
"$objcopy" -O binary "$out.tmp" "$out.tmp.bin"
"$objcopy" -O binary "$out.probe" "$out.probe.bin"
if ! cmp -s "$out.tmp.bin" "$out.probe.bin"; then
	echo "$out: its code depends on its load address (an absolute" \
	     "relocation); the restorer must stay position-independent" >&2
	rm -f "$out.tmp" "$out.probe" "$out.tmp.bin" "$out.probe.bin"
	exit 1
fi
rm -f "$out.probe" "$out.tmp.bin" "$out.probe.bin"
mv "$out.tmp" "$out"
