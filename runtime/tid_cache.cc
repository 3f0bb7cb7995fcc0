// Where glibc keeps a thread's tid and robust mutex list, when the kernel
// will not say: PR_GET_TID_ADDRESS needs CONFIG_CHECKPOINT_RESTORE, and
// qemu-user refuses it and set_robust_list() too. The restorer must find
// the tid word (struct pthread's tid) to put the new tid there, or
// pthread_join(), pthread_kill() and raise() in the restored process use
// a tid that is no longer the thread's; and the robust list, whose locks
// hold their owner's tid.
#include "runtime/runtime.h"

// What glibc publishes for libthread_db (nptl_db/db_info.c), in libc.so
// and libc.a: the size of struct pthread, and where its tid field is as
// {bits, count, offset}. Weak: another libc, or a static link that did
// not pull them in, leaves them null, and then the tid cache is unknown.
extern "C" __attribute__((weak, visibility("default"))) const uint32_t
	_thread_db_pthread_tid[3];
extern "C" __attribute__((weak, visibility("default"))) const uint32_t
	_thread_db_sizeof_pthread;

namespace ckpt {

uint64_t glibc_tid_address()
{
	if (!&_thread_db_pthread_tid || !&_thread_db_sizeof_pthread)
		return 0;
	const uint32_t *tid = _thread_db_pthread_tid;
	if (tid[0] != 32 || tid[1] != 1 || tid[2] + 4 > _thread_db_sizeof_pthread)
		return 0;
	uint64_t pd = arch::glibc_descriptor(arch::thread_pointer(),
					     _thread_db_sizeof_pthread);
	uint64_t addr = pd + tid[2];
	// The thread's own tid must be there, or this is not glibc's
	// descriptor after all.
	if (*reinterpret_cast<const int32_t *>(addr) != (int32_t)sys::gettid())
		return 0;
	return addr;
}

// struct pthread has had {pid_t tid; pid_t pid; void *robust_prev;
// struct robust_list_head robust_head;} in this order since glibc 2.5;
// robust_prev is the list's last entry, the head itself when it is empty,
// as head.list is its first. Both pointers are checked to say so.
uint64_t glibc_robust_list(uint64_t tid_address)
{
	if (!tid_address || (tid_address & 7))
		return 0;
	const uint64_t head = tid_address + 2 * sizeof(int32_t) + 8;
	const uint64_t prev = *reinterpret_cast<const uint64_t *>(head - 8);
	const uint64_t first = *reinterpret_cast<const uint64_t *>(head);
	const bool empty = prev == head && first == head;
	const bool linked = prev != head && first != head && prev && first &&
			    !(prev & 6) && !(first & 6);
	return empty || linked ? head : 0;
}

} // namespace ckpt
