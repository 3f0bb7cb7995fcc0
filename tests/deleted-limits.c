// The contents of a deleted file are bounded by CKPT_MAX_FILE_CONTENTS:
// a checkpoint of more fails, naming the file, and the previous image
// stays. An image whose stored contents are corrupt, or whose contents
// table lies, is refused before anything of the app runs.
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: env CKPT_IMAGE=%t.ckpt CKPT_MAX_FILE_CONTENTS=64 %run %t %t.d 2>&1 | FileCheck --check-prefix=APP %s
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=BACK %s
//
// RUN: cp %t.ckpt %t.bad.ckpt
// RUN: %python -c "import sys; f = open(sys.argv[1], 'r+b'); f.seek(-1, 2); b = f.read(1); f.seek(-1, 2); f.write(bytes([b[0] ^ 1]))" %t.bad.ckpt
// RUN: { %run %restorer %t.bad.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=CRC %s
//
// An extent past the file's end, a size beyond any file:
// RUN: cp %t.ckpt %t.ext.ckpt && %python %S/lib/patch_image.py %t.ext.ckpt --section-u64 8:8=0x10000000000
// RUN: { %run %restorer %t.ext.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=EXTENT %s
// RUN: cp %t.ckpt %t.size.ckpt && %python %S/lib/patch_image.py %t.size.ckpt --section-u64 7:8=0xffffffffffffffff
// RUN: { %run %restorer %t.size.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=SIZE %s
//
// APP: first: 0
// APP-NEXT: ckpt: checkpoint to {{.*}}.ckpt failed: fd 10 ({{.*}}/scratch (deleted)): its contents are 100 bytes, above CKPT_MAX_FILE_CONTENTS (64 bytes)
// APP-NEXT: second: -27
// BACK: restored
// BACK-NEXT: contents: [scratch data]
// CRC: restorer: {{.*}}.bad.ckpt: fd 10 ({{.*}}/scratch (deleted)): its contents' checksum does not match (corrupt image)
// CRC-NOT: restored
// CRC: exit 1
// EXTENT: restorer: {{.*}}.ext.ckpt: {{.*}}file contents extent is out of order or past the file's end
// EXTENT-NOT: restored
// EXTENT: exit 1
// SIZE: restorer: {{.*}}.size.ckpt: {{.*}}file contents entry is invalid (fd, size, seals or data)
// SIZE-NOT: restored
// SIZE: exit 1
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: deleted-limits DIR");
	char name[4096];
	snprintf(name, sizeof name, "%s/scratch", argv[1]);
	int fd = open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
	TESTING_ASSERT(fd >= 0 && dup2(fd, 10) == 10, "create");
	close(fd);
	TESTING_ASSERT(unlink(name) == 0, "unlink");
	TESTING_ASSERT(write(10, "scratch data", 12) == 12, "write");

	int rc = ckpt_checkpoint(NULL);
	if (rc == 1) {
		char buf[128] = {0};
		TESTING_ASSERT(pread(10, buf, sizeof buf - 1, 0) == 12, "pread");
		printf("restored\ncontents: [%s]\n", buf);
		return 0;
	}
	printf("first: %d\n", rc);
	char more[88];
	memset(more, 'x', sizeof more);
	TESTING_ASSERT(write(10, more, sizeof more) == sizeof more, "write");
	rc = ckpt_checkpoint(NULL);
	printf("second: %d\n", rc);
	return 0;
}
