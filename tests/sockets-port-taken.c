// A port taken at restore refuses the restore before the point of no
// return, naming the socket and its address: the original process, which
// still listens there, runs the restorer on its own image. The restorer
// says why and exits 1; nothing of the app runs.
// RUN: %cc %s %runtime -o %t
// RUN: %run %t '%run %restorer' %t.ckpt 2>&1 | FileCheck %s
//
// CHECK: listening on 127.0.0.1:[[PORT:[0-9]+]]
// CHECK-NEXT: restorer: {{.*}}.ckpt: fd 10 (socket:[{{[0-9]+}}]): cannot bind 127.0.0.1:[[PORT]] again (the port is taken now): EADDRINUSE (address already in use)
// CHECK-NEXT: restorer exit 1
// CHECK-NOT: restored
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 3, "usage: %s RESTORER IMAGE", argv[0]);
	struct sockaddr_in lo = {.sin_family = AF_INET};
	lo.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	TESTING_ASSERT(fd >= 0 && dup2(fd, 10) == 10, "socket");
	close(fd);
	socklen_t len = sizeof lo;
	TESTING_ASSERT(bind(10, (struct sockaddr *)&lo, sizeof lo) == 0 &&
			       listen(10, 8) == 0 &&
			       getsockname(10, (struct sockaddr *)&lo, &len) == 0,
		       "listen");
	printf("listening on 127.0.0.1:%d\n", ntohs(lo.sin_port));
	int rc = ckpt_checkpoint(argv[2]);
	TESTING_ASSERT(rc == 0 || rc == 1, "checkpoint failed: %d", rc);
	if (rc == 1) {
		printf("restored\n");
		return 0;
	}
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "%s %s 2>&1", argv[1], argv[2]);
	int status = system(cmd);
	printf("restorer exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}
