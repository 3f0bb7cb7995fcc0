// A C++ app (iostream, std::string, containers, a static object with a
// destructor) keeps working after a signal checkpoint and restore: an
// exception thrown after the restore is caught (the unwinder finds
// libstdc++'s and the app's unwind tables), and the destructor runs at
// exit.
// RUN: %cxx %s %runtime -o %t
// RUN: %drive --image %t.ckpt --at '^tick 2$' -- %t | FileCheck %s
//
// CHECK: gen0: caught before: not yet
// CHECK: gen0: tick 2
// CHECK: gen0: signal KILL
// CHECK-NOT: gen1: tick {{[0-2]}}{{$}}
// CHECK: gen1: tick 9
// CHECK-NEXT: gen1: log: t0 t1 t2 t3 t4 t5 t6 t7 t8 t9
// CHECK-NEXT: gen1: caught after: restored 10 ticks
// CHECK-NEXT: gen1: goodbye from a static destructor
// CHECK-NEXT: gen1: exit 0
#include <cstdio>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "Inputs/testing.h"

namespace {

struct farewell {
	~farewell() { std::cout << "goodbye from a static destructor\n"; }
} at_exit;

void fail(const std::string &why)
{
	throw std::runtime_error(why);
}

} // namespace

int main()
{
	testing_start();
	std::cout.setf(std::ios::unitbuf); // each line as it is written
	try {
		fail("not yet");
	} catch (const std::exception &e) {
		std::cout << "caught before: " << e.what() << std::endl;
	}
	std::vector<std::string> log;
	std::map<int, std::string> names;
	for (int i = 0; i < 10; i++) {
		log.push_back("t" + std::to_string(i));
		names[i] = log.back();
		std::cout << "tick " << i << std::endl;
		testing_nap(50);
	}
	std::cout << "log:";
	for (const auto &entry : log)
		std::cout << ' ' << entry;
	std::cout << std::endl;
	try {
		fail(std::string(testing_restored() ? "restored " : "not ") +
		     std::to_string(names.size()) + " ticks");
	} catch (const std::exception &e) {
		std::cout << "caught after: " << e.what() << std::endl;
	}
	return 0;
}
