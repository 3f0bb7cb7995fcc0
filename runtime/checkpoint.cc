// ckpt_checkpoint(): capture the registers, write the image, and the
// second return from the capture in a restored process.
#include <linux/errno.h>

#include "runtime/runtime.h"
#include "runtime/fmt.h"

namespace ckpt {

namespace {

// Both live in the app's memory, so both are in the image: the restorer
// reads the context from there and fills in resume_args.
arch::context saved_context;
image::resume_args resume;
int busy;

// Runs in the restored process, on the app's stack, with its memory, TLS
// and signal state back: drop what the restorer left mapped.
void finish_restore()
{
	image::resume_args a = resume;
	resume = {};
	if (a.restorer_end > a.restorer_start)
		sys::munmap(a.restorer_start,
			    a.restorer_end - a.restorer_start);
}

} // namespace

long checkpoint(const char *path)
{
	if (__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE))
		return -EBUSY;
	long ret;
	char err[512];
	if (ckpt_arch_capture(&saved_context)) {
		finish_restore();
		ret = 1;
	} else {
		ret = write_image(path, &saved_context, &resume, err,
				  sizeof err);
		if (ret < 0) {
			char line[768];
			text msg(line, sizeof line);
			msg.str("ckpt: checkpoint to ").str(path).str(" failed: ")
				.str(err).ch('\n');
			print_err(msg);
		}
	}
	__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
	return ret;
}

} // namespace ckpt

extern "C" __attribute__((visibility("default"))) int
ckpt_checkpoint(const char *path)
{
	return (int)ckpt::checkpoint(path ? path : ckpt::config.image_path);
}
