// A private mapping of a file comes back from the file: the image stores
// only the page the process changed (a copy on write), the restored
// process finds that page as it left it and the others as the file has
// them, and /proc/self/maps names the file again. A file changed since
// the checkpoint is refused, named, unless --allow-changed-files (then a
// warning, and the unchanged pages are the file's new ones).
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt && %python -c "import sys; open(sys.argv[1], 'wb').write(b'A' * 65536)" %t.data
// RUN: env CKPT_IMAGE=%t.ckpt %run %t %t.data | FileCheck --check-prefix=APP %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=RESTORED %s
// RUN: sleep 0.01 && %python -c "import sys; open(sys.argv[1], 'wb').write(b'C' * 65536)" %t.data
// RUN: { %run %restorer %t.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=CHANGED %s
// RUN: %run %restorer --allow-changed-files %t.ckpt 2>&1 | FileCheck --check-prefix=ALLOWED %s
// APP: checkpointed
// INFO: {{^[0-9]+ +[0-9a-f]+-[0-9a-f]+}} rw-p file    4096 {{.*}}.data [from the file]
// RESTORED: restored: page 0 'A', page 3 'B', mapping named: yes
// CHANGED: restorer: {{.*}}: region {{[0-9]+}} at 0x{{[0-9a-f]+}}: {{.*}}.data: it changed since the checkpoint (size or mtime) (--allow-changed-files maps it)
// CHANGED-NEXT: exit 1
// ALLOWED: {{.*}}.data: it changed since the checkpoint (size or mtime); mapped anyway
// ALLOWED: restored: page 0 'C', page 3 'B', mapping named: yes
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include "Inputs/testing.h"

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: mmap-private-file FILE");
	int fd = open(argv[1], O_RDONLY);
	TESTING_ASSERT(fd >= 0, "open %s", argv[1]);
	char *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	TESTING_ASSERT(p != MAP_FAILED, "mmap");
	close(fd);
	memset(p + 3 * 4096, 'B', 4096);
	testing_checkpoint_or_exit();
	char maps[65536] = "";
	FILE *f = fopen("/proc/self/maps", "r");
	size_t n = f ? fread(maps, 1, sizeof maps - 1, f) : 0;
	maps[n] = 0;
	if (f)
		fclose(f);
	const char *name = strrchr(argv[1], '/');
	printf("restored: page 0 '%c', page 3 '%c', mapping named: %s\n", p[0],
	       p[3 * 4096], strstr(maps, name ? name + 1 : argv[1]) ? "yes" : "no");
	return 0;
}
