// Unix sockets bound to a path come back bound to it: the socket file the
// app left there is replaced, once no process is bound to it any more. A
// stream listener accepts a new client at its path, a datagram socket
// receives what is sent to its path, and one whose file was unlinked
// after bind() keeps its name with no file again. While the original
// still listens there, the restore is refused before the point of no
// return, naming the path.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.sock %t.dgram %t.gone
// RUN: %run %t '%run %restorer' %t.ckpt %t 2>&1 | FileCheck --check-prefix=TAKEN %s
// RUN: %run %restorer %t.ckpt 2>%t.err | FileCheck %s
// RUN: FileCheck --check-prefix=ERR --allow-empty %s < %t.err
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// TAKEN: checkpointed
// TAKEN-NEXT: restorer: {{.*}}.ckpt: fd 10 (socket:[{{[0-9]+}}]): cannot bind {{.*}}.sock again: a process is bound to it now (the name is taken)
// TAKEN-NEXT: restorer exit 1
// TAKEN-NOT: restored
//
// CHECK: restored
// CHECK-NEXT: listener: accepted, got 'by path'
// CHECK-NEXT: dgram: got 'to the path'
// CHECK-NEXT: gone: no file, name {{.*}}.gone
//
// ERR-NOT: is not restored
//
// INFO: fd 10 recreate socket rw socket:[{{[0-9]+}}] unix stream listening {{.*}}.sock{{$}}
// INFO-NEXT: fd 11 recreate socket rw socket:[{{[0-9]+}}] unix dgram bound {{.*}}.dgram{{$}}
// INFO-NEXT: fd 12 recreate socket rw socket:[{{[0-9]+}}] unix dgram bound {{.*}}.gone{{$}}
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static struct sockaddr_un names[3];

static void move_to(int fd, int want)
{
	TESTING_ASSERT(fd >= 0, "create fd %d (errno %d)", want, errno);
	TESTING_ASSERT(dup2(fd, want) == want, "dup2");
	close(fd);
}

static void bind_to(int fd, int type, const char *base, const char *suffix)
{
	struct sockaddr_un *a = &names[fd - 10];
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof a->sun_path, "%s%s", base, suffix);
	move_to(socket(AF_UNIX, type, 0), fd);
	TESTING_ASSERT(bind(fd, (struct sockaddr *)a, sizeof *a) == 0,
		       "bind %s: errno %d", a->sun_path, errno);
}

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 4, "usage: %s RESTORER IMAGE BASE", argv[0]);
	bind_to(10, SOCK_STREAM, argv[3], ".sock");
	TESTING_ASSERT(listen(10, 4) == 0, "listen");
	bind_to(11, SOCK_DGRAM, argv[3], ".dgram");
	bind_to(12, SOCK_DGRAM, argv[3], ".gone");
	TESTING_ASSERT(unlink(names[2].sun_path) == 0, "unlink");

	int rc = ckpt_checkpoint(argv[2]);
	TESTING_ASSERT(rc == 0 || rc == 1, "checkpoint failed: %d", rc);
	if (rc == 0) {
		printf("checkpointed\n");
		char cmd[8192];
		snprintf(cmd, sizeof cmd, "%s %s 2>&1", argv[1], argv[2]);
		int status = system(cmd);
		printf("restorer exit %d\n",
		       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return 0;
	}
	printf("restored\n");
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	TESTING_ASSERT(connect(c, (struct sockaddr *)&names[0], sizeof names[0]) == 0,
		       "connect: errno %d", errno);
	TESTING_ASSERT(send(c, "by path", 7, 0) == 7, "send");
	int a = accept(10, NULL, NULL);
	char buf[32] = {0};
	TESTING_ASSERT(a >= 0 && recv(a, buf, sizeof buf, 0) == 7, "accept");
	printf("listener: accepted, got '%s'\n", buf);
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	TESTING_ASSERT(sendto(d, "to the path", 11, 0, (struct sockaddr *)&names[1],
			      sizeof names[1]) == 11, "sendto: errno %d", errno);
	memset(buf, 0, sizeof buf);
	TESTING_ASSERT(recv(11, buf, sizeof buf, 0) == 11, "recv");
	printf("dgram: got '%s'\n", buf);
	struct stat st;
	struct sockaddr_un now = {0};
	socklen_t len = sizeof now;
	TESTING_ASSERT(stat(names[2].sun_path, &st) < 0 && errno == ENOENT,
		       "gone: its file is back");
	TESTING_ASSERT(getsockname(12, (struct sockaddr *)&now, &len) == 0,
		       "getsockname");
	printf("gone: no file, name %s\n", now.sun_path);
	return 0;
}
