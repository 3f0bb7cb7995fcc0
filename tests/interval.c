// CKPT_INTERVAL=1 writes an image every second from a timer of the
// runtime's own, leaving the app's alarm()/itimer alone: the app's own
// SIGALRM still arrives at its pace while images appear, and the last
// image restores. The restored process re-arms the interval timer.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt
// RUN: env CKPT_INTERVAL=1 CKPT_IMAGE=%t.ckpt %run %t | FileCheck --check-prefix=APP %s
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=RESTORED %s
// APP: own alarms: {{[5-9]|1[0-9]}}, images written: {{[2-9]}}
// RESTORED: restored; images written after the restore: {{[1-9]}}
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static volatile int alarms;
static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

// How often the image was replaced while we watched for ms milliseconds.
static int count_images(const char *path, long ms)
{
	struct stat st;
	ino_t last = 0;
	int images = 0;
	for (long t = 0; t < ms; t += 50) {
		if (stat(path, &st) == 0 && st.st_ino != last) {
			last = st.st_ino;
			images++;
		}
		testing_nap(50);
	}
	return images;
}

int main(void)
{
	testing_start();
	const char *path = getenv("CKPT_IMAGE");
	signal(SIGALRM, on_alarm);
	struct itimerval every = {{0, 300000}, {0, 300000}};
	setitimer(ITIMER_REAL, &every, NULL);
	int images = count_images(path, 3000);
	if (testing_restored()) {
		// Resumed in the middle of the loop above: watch again.
		printf("restored; images written after the restore: %d\n",
		       count_images(path, 2500));
		return 0;
	}
	printf("own alarms: %d, images written: %d\n", alarms, images);
	return 0;
}
