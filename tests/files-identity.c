// A reopened file must be the one the process had: the same device and
// inode, and never a symbolic link where there was none. A file renamed
// over the one the app had is refused (naming the fd and the path), and
// accepted with --allow-changed-files, with a warning; a symbolic link
// planted where the file was is refused either way (it is never
// followed), and so is one planted where a shared mapping's file was:
// the file it points to stays untouched.
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: echo private > %t.d/private
// RUN: env CKPT_IMAGE=%t.ckpt %run %t %t.d | FileCheck --check-prefix=APP %s
//
// RUN: echo other > %t.d/new && mv %t.d/new %t.d/log
// RUN: { timeout 20 %run %restorer %t.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=CHANGED %s
// RUN: { timeout 20 %run %restorer --allow-changed-files %t.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=ALLOW %s
//
// RUN: rm %t.d/log && ln -s private %t.d/log
// RUN: { timeout 20 %run %restorer --allow-changed-files %t.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=LINK %s
//
// RUN: rm %t.d/log && echo other > %t.d/log
// RUN: rm %t.d/map && ln -s private %t.d/map
// RUN: { timeout 20 %run %restorer --allow-changed-files %t.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=MAPLINK %s
// RUN: cat %t.d/private | FileCheck --check-prefix=PRIVATE %s
//
// APP: checkpointed
// CHANGED: restorer: {{.*}}.ckpt: fd 10 ({{.*}}/log): it is another file now (device {{[0-9]+:[0-9]+}} inode {{[0-9]+}}, was {{[0-9]+:[0-9]+}} inode {{[0-9]+}}) (--allow-changed-files restores with it)
// CHANGED-NOT: restored
// CHANGED: exit 1
// ALLOW: restorer: {{.*}}.ckpt: fd 10 ({{.*}}/log): it is another file now (device {{[0-9]+:[0-9]+}} inode {{[0-9]+}}, was {{[0-9]+:[0-9]+}} inode {{[0-9]+}}); restored with it
// ALLOW: restored
// ALLOW-NEXT: log: othone
// ALLOW-NEXT: exit 0
// LINK: restorer: {{.*}}.ckpt: fd 10 ({{.*}}/log): a symbolic link is there now (never followed) (--allow-missing-files restores without it)
// LINK-NOT: restored
// LINK: exit 1
// MAPLINK: restorer: {{.*}}.ckpt: region {{[0-9]+}} at 0x{{[0-9a-f]+}}: {{.*}}/map: a symbolic link is there now (never followed) (--allow-missing-files maps zeroed memory instead)
// MAPLINK-NOT: restored
// MAPLINK: exit 1
// PRIVATE: {{^private$}}
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: files-identity DIR");
	char path[4096 + 64];
	snprintf(path, sizeof path, "%s/log", argv[1]);
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
	TESTING_ASSERT(fd >= 0 && dup2(fd, 10) == 10, "open %s", path);
	close(fd);
	TESTING_ASSERT(write(10, "one", 3) == 3, "write");
	TESTING_ASSERT(lseek(10, 0, SEEK_SET) == 0, "lseek");

	snprintf(path, sizeof path, "%s/map", argv[1]);
	fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
	TESTING_ASSERT(fd >= 0 && ftruncate(fd, 4096) == 0, "open %s", path);
	char *map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	TESTING_ASSERT(map != MAP_FAILED, "mmap");
	close(fd);
	map[0] = 'm';

	testing_checkpoint_or_exit();
	char buf[64] = {0};
	TESTING_ASSERT(read(10, buf, 3) == 3, "read");
	TESTING_ASSERT(write(10, "one", 3) == 3, "write after");
	printf("log: %s%s\n", buf, "one");
	return 0;
}
