// C++ std::thread with thread_local values (an int, a std::string on the
// heap, an object whose destructor runs at thread exit): four threads and
// the main thread each check their own after the restore, from their own
// thread, and the destructors run once per thread when the threads end.
// RUN: %cxx %s %runtime -o %t -lpthread
// RUN: %drive --timeout 30 --image %t.ckpt --at '^READY$' --delay 50 -- %t \
// RUN:   | FileCheck %s
//
// CHECK: gen0: READY
// CHECK-NOT: gen0: thread
// CHECK: gen0: signal KILL
// CHECK-DAG: gen1: thread 1: thread_local ok after the restore
// CHECK-DAG: gen1: thread 2: thread_local ok after the restore
// CHECK-DAG: gen1: thread 3: thread_local ok after the restore
// CHECK-DAG: gen1: thread 4: thread_local ok after the restore
// CHECK-DAG: gen1: main: thread_local ok after the restore
// CHECK-NEXT: gen1: joined 4, destructors run 4
// CHECK-NEXT: gen1: exit 0
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "Inputs/testing.h"

static std::atomic<int> started{0}, destroyed{0};

struct Tracker {
	int id = -1;
	~Tracker()
	{
		if (id > 0)
			destroyed++;
	}
};

thread_local int tls_number = 7;
thread_local std::string tls_text;
thread_local Tracker tls_tracker;

static std::string text_for(int id)
{
	return "thread-local text of thread " + std::to_string(id) +
	       ", long enough to live on the heap";
}

// Checks this thread's values until the process is a restored one; says
// what it found. Returns whether they held.
static bool watch(int id, const char *who)
{
	double start = testing_now();
	for (;;) {
		bool restored = testing_restored();
		if (tls_number != id * 111 || tls_text != text_for(id) ||
		    tls_tracker.id != id) {
			std::printf("%s: thread_local differs: %d, \"%s\", %d\n",
				    who, tls_number, tls_text.c_str(),
				    tls_tracker.id);
			return false;
		}
		if (restored) {
			std::printf("%s: thread_local ok after the restore\n", who);
			return true;
		}
		if (testing_now() - start > 60) {
			std::printf("%s: no restore within 60 s\n", who);
			return false;
		}
		testing_nap(5);
	}
}

static void set_values(int id)
{
	tls_number = id * 111;
	tls_text = text_for(id);
	tls_tracker.id = id;
}

int main()
{
	testing_start();
	std::vector<std::thread> threads;
	for (int id = 1; id <= 4; id++) {
		threads.emplace_back([id] {
			set_values(id);
			started++;
			char who[32];
			std::snprintf(who, sizeof who, "thread %d", id);
			watch(id, who);
		});
	}
	set_values(1000);
	tls_tracker.id = 0; // the main thread's is not counted
	for (int i = 0; i < 10000 && started < 4; i++)
		testing_nap(1);
	std::printf("READY\n");
	// The main thread watches its own values too (tracker 0 is its).
	double start = testing_now();
	while (!testing_restored() && testing_now() - start < 60)
		testing_nap(5);
	if (tls_number == 111000 && tls_text == text_for(1000) &&
	    tls_tracker.id == 0)
		std::printf("main: thread_local ok after the restore\n");
	for (auto &t : threads)
		t.join();
	std::printf("joined %zu, destructors run %d\n", threads.size(),
		    destroyed.load());
	return 0;
}
