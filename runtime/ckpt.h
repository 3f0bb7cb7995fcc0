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

#ifdef __cplusplus
}
#endif

#endif
