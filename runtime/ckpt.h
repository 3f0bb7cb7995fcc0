/* ckpt: transparent checkpoint/restart. Link the app with runtime.o. */
#ifndef CKPT_H
#define CKPT_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Writes an image of the calling process to path (NULL: $CKPT_IMAGE, or
 * <program name>.ckpt in the working directory).
 *
 * Returns 0 in the running process once the image is complete, 1 when
 * execution resumes from that image in a restored process, and a negative
 * errno if the checkpoint failed (the process goes on unharmed and an
 * earlier image at path is left as it was).
 */
int ckpt_checkpoint(const char *path);

/*
 * With CKPT_FORK=1 a copy-on-write child writes the image while the app
 * goes on, and ckpt_checkpoint() returns 0 once that child exists. This
 * waits until the last such image is complete: 0, or the negative errno
 * it failed with. Without a forked checkpoint under way it returns 0.
 */
int ckpt_wait(void);

/*
 * The value (si_value.sival_ptr) that makes the checkpoint signal a
 * checkpoint request even when the app has a handler of its own for that
 * signal (which then gets every other instance of it):
 *   union sigval v = {.sival_ptr = (void *)CKPT_REQUEST};
 *   sigqueue(pid, SIGUSR2, v);
 * `ckpt checkpoint PID` sends it so.
 */
#define CKPT_REQUEST 0x434b505452455155ull /* "CKPTREQU" */

#ifdef __cplusplus
}
#endif

#endif
