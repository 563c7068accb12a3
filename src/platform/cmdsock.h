/* cmdsock: the Unix datagram socket of chronyd's command server. Checking
 * its directory as chrony does (it must be a directory of mode 0770 or
 * stricter, owned by chronyd's user and group: otherwise the socket is
 * disabled with chrony's messages, e.g. "Wrong owner of DIR (UID != 0)"
 * then "Disabled command socket PATH"), binding it (an old socket file is
 * replaced; the new one gets mode 0666, access being limited by the
 * directory), receiving requests with the address of the client's own bound
 * socket and sending replies to it, and removing the file at the end.
 *
 * The UDP command sockets are ordinary platform/udp sockets. Sockets are
 * plain SOCK_DGRAM, made non-blocking and close-on-exec with fcntl(); the
 * caller registers them with the event loop. */
#ifndef CW_CMDSOCK_H
#define CW_CMDSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

/* The client a request came from: its bound socket's path. */
struct cmdsock_peer {
    struct sockaddr_un addr;
    socklen_t len;
};

/* Checks the directory of path (uid and gid: chronyd's user), then opens
 * and binds the socket. Returns the descriptor, or -1 after logging why
 * (a disabled socket is a warning, not an error: chronyd goes on). */
int cmdsock_open_unix(const char *path, uid_t uid, gid_t gid);
/* Closes the socket and removes path. */
void cmdsock_close_unix(int fd, const char *path);

/* Receives one datagram into buf (cap bytes). Returns its length (0 is a
 * valid empty datagram), or -1 when nothing was waiting or on error.
 * *truncated tells whether it was longer than cap. A client whose socket
 * has no name (it could get no reply) has peer->len 0. */
long cmdsock_recv_unix(int fd, void *buf, size_t cap, bool *truncated,
                       struct cmdsock_peer *peer);
/* Sends len bytes to peer. Returns 0, or -1 with errno set. */
int cmdsock_send_unix(int fd, const void *buf, size_t len, const struct cmdsock_peer *peer);

/* The directory check alone: true when the directory of path may hold the
 * socket, otherwise false after chrony's error message. */
bool cmdsock_check_dir(const char *path, uid_t uid, gid_t gid);

#endif
