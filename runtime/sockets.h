// Sockets at checkpoint (runtime/sockets.cc): their state, and the
// messages queued in the unix sockets both of whose ends the process
// holds, into the image's working memory.
#pragma once

#include <stdint.h>

#include "runtime/image.h"

namespace ckpt {

// sockets: max_fds entries, messages: max_socket_messages, data:
// max_socket_data bytes; begin_image() points them at its working memory
// before save_process(). None (nullptr): no socket is saved.
struct socket_objects {
	image::socket_entry *sockets;
	image::socket_message *messages;
	char *data;
	uint32_t socket_count;
	uint32_t message_count;
	uint32_t data_size;
};
extern socket_objects saved_sockets;

// Called by save_fds() with the table found: records each socket that can
// come back; one that cannot is named on stderr and has no entry. The
// running app keeps every queued message.
void save_sockets(const image::fd_entry *fds, uint32_t count,
		  const char *strings);

} // namespace ckpt
