// An inotify instance comes back with its watches, at the wds the app
// knows: the directory of an open file, the open file itself, the
// working directory and a file in it are found again by path (a gap left by a removed
// watch stays a gap, with no IN_IGNORED event for it), and events after
// the restore arrive with their wds; the next watch added gets the next
// wd. A watch of a directory the process has no path to (never opened)
// is named at checkpoint and at restore, and the others come back. One
// whose path names another file at restore time is refused.
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d/sub %t.d/cwd %t.d/hidden
// RUN: %drive --image %t.ckpt --no-kill -- %t %t.d 2> %t.err | FileCheck %s
// RUN: FileCheck --check-prefix=ERR %s < %t.err
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
// A watched path that names another file now is refused before the point
// of no return (here the open file is accepted as another one):
// RUN: mv %t.d/sub %t.d/old && mkdir %t.d/sub && touch %t.d/sub/file
// RUN: { %run %restorer --allow-changed-files %t.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=OTHER %s
//
// CHECK: gen0: watching: 1 3 4 5 6
// CHECK-NEXT: gen0: checkpointed
// CHECK: gen1: restored
// CHECK-NEXT: gen1: nonblock, no event queued
// CHECK-NEXT: gen1: event wd 1 IN_CREATE new
// CHECK-NEXT: gen1: event wd 3 IN_MODIFY
// CHECK-NEXT: gen1: event wd 5 IN_CREATE here
// CHECK-NEXT: gen1: event wd 5 IN_IGNORED
// CHECK-NEXT: gen1: no more events
// CHECK-NEXT: gen1: a new watch gets wd 7
// CHECK-NEXT: gen1: exit 0
//
// ERR: gen0! ckpt: fd 12 (anon_inode:inotify): watch 4 (inode {{[0-9]+}} on {{[0-9]+}}:{{[0-9]+}}) has no path the process knows, it will not come back
// ERR: gen1! restorer: {{.*}}.ckpt: fd 12 (anon_inode:inotify): watch 4 (inode {{[0-9]+}}) is not restored: no path the process knew named its inode
//
// OTHER: restorer: {{.*}}.ckpt: fd 12 (anon_inode:inotify): watch 3 ({{.*}}/sub/file): its path names another file now (--allow-missing-files restores without it)
// OTHER-NOT: restored
// OTHER: exit 1
//
// INFO: fd 12 recreate inotify r nonblock anon_inode:inotify
// INFO-NEXT: watch wd 1 mask 0x100 {{.*}}inotify-watches.c.tmp.d{{$}}
// INFO-NEXT: watch wd 3 mask 0x2 {{.*}}inotify-watches.c.tmp.d/sub/file{{$}}
// INFO-NEXT: watch wd 4 mask 0x100 (no path: inode {{[0-9]+}})
// INFO-NEXT: watch wd 5 mask 0x80000100 {{.*}}inotify-watches.c.tmp.d/cwd{{$}}
// INFO-NEXT: watch wd 6 mask 0x400 {{.*}}inotify-watches.c.tmp.d/cwd/config{{$}}
// INFO-NEXT: fd 13 dup inotify r nonblock shares fd 12 anon_inode:inotify
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/inotify.h>

#include "Inputs/testing.h"

static const char *event_name(uint32_t mask)
{
	if (mask & IN_CREATE)
		return "IN_CREATE";
	if (mask & IN_MODIFY)
		return "IN_MODIFY";
	if (mask & IN_IGNORED)
		return "IN_IGNORED";
	return "?";
}

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: inotify-watches DIR");
	const char *dir = argv[1];
	char path[4096];
	snprintf(path, sizeof path, "%s/sub/file", dir);
	int file = open(path, O_RDWR | O_CREAT, 0600);
	TESTING_ASSERT(file >= 0 && dup2(file, 10) == 10, "open %s", path);
	close(file);
	snprintf(path, sizeof path, "%s/cwd", dir);
	TESTING_ASSERT(chdir(path) == 0, "chdir");

	int in = inotify_init1(IN_NONBLOCK);
	TESTING_ASSERT(in >= 0 && dup2(in, 12) == 12, "inotify_init1");
	close(in);
	int w1 = inotify_add_watch(12, dir, IN_CREATE);
	snprintf(path, sizeof path, "%s/sub", dir);
	int w2 = inotify_add_watch(12, path, IN_CREATE);
	TESTING_ASSERT(inotify_rm_watch(12, w2) == 0, "rm_watch");
	snprintf(path, sizeof path, "%s/sub/file", dir);
	int w3 = inotify_add_watch(12, path, IN_MODIFY);
	snprintf(path, sizeof path, "%s/hidden", dir);
	int w4 = inotify_add_watch(12, path, IN_CREATE);
	// A file of the working directory the process does not keep open.
	int config = open("config", O_WRONLY | O_CREAT, 0600);
	TESTING_ASSERT(config >= 0, "create config");
	close(config);
	int w5 = inotify_add_watch(12, ".", IN_CREATE | IN_ONESHOT);
	int w6 = inotify_add_watch(12, "config", IN_DELETE_SELF);
	// Drop the IN_IGNORED of the removed watch.
	char buf[4096] __attribute__((aligned(8)));
	while (read(12, buf, sizeof buf) > 0)
		;
	TESTING_ASSERT(dup2(12, 13) == 13, "dup2");
	printf("watching: %d %d %d %d %d\n", w1, w3, w4, w5, w6);
	testing_checkpoint_or_exit();

	TESTING_ASSERT(fcntl(12, F_GETFL) & O_NONBLOCK, "inotify blocks");
	TESTING_ASSERT(read(12, buf, sizeof buf) == -1 && errno == EAGAIN,
		       "an event is queued");
	printf("nonblock, no event queued\n");
	snprintf(path, sizeof path, "%s/new", dir);
	int fd = open(path, O_WRONLY | O_CREAT, 0600);
	TESTING_ASSERT(fd >= 0, "create %s", path);
	close(fd);
	TESTING_ASSERT(write(10, "x", 1) == 1, "write");
	fd = open("here", O_WRONLY | O_CREAT, 0600);
	TESTING_ASSERT(fd >= 0, "create here");
	close(fd);
	struct pollfd p = {12, POLLIN, 0};
	TESTING_ASSERT(poll(&p, 1, 5000) == 1, "no event");
	testing_nap(50); // all four queued
	int n = 0;
	ssize_t len;
	while ((len = read(13, buf, sizeof buf)) > 0) {
		for (char *at = buf; at < buf + len;) {
			struct inotify_event *ev = (struct inotify_event *)at;
			printf("event wd %d %s%s%s\n", ev->wd,
			       event_name(ev->mask), ev->len ? " " : "",
			       ev->len ? ev->name : "");
			at += sizeof *ev + ev->len;
			n++;
		}
	}
	printf("no more events\n");
	snprintf(path, sizeof path, "%s/sub", dir);
	printf("a new watch gets wd %d\n", inotify_add_watch(12, path, IN_CREATE));
	return 0;
}
