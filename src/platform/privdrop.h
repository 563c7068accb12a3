/* privdrop: giving up root by becoming another user. Owns the user database
 * lookup (getpwnam) and the switch of the process's identity (supplementary
 * groups, group ID, user ID). chronyc -u uses the plain switch; chronyd's
 * drop, which must keep CAP_SYS_TIME, is meant to wrap privdrop_switch_ids
 * between keeping its capabilities across setuid() and re-raising them.
 *
 * Nothing here prints: failures come back as chrony's message text, and each
 * program reports it its own way (chronyc bare on stderr, chronyd through
 * its log). */
#ifndef CW_PRIVDROP_H
#define CW_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Room for any message below (the longest is the unknown-user one, with the
 * name cut to fit). */
#define PRIVDROP_MESSAGE_MAX 256

/* True when the effective user is root, i.e. there is something to drop. */
bool privdrop_running_as_root(void);

/* Looks name up in the user database. False (and *uid, *gid untouched) when
 * there is no such user. */
bool privdrop_lookup_user(const char *name, uid_t *uid, gid_t *gid);

/* Leaves every supplementary group, then sets the real, effective and saved
 * group ID to gid and user ID to uid, in that order (the user ID last, as
 * after it the other two can no longer be changed). False on the first call
 * that fails, with chrony's message ("setgid(65534) failed : ...") in msg. */
bool privdrop_switch_ids(uid_t uid, gid_t gid, char *msg, size_t msg_len);

/* privdrop_lookup_user, then privdrop_switch_ids. An unknown user gives
 * chrony's "Could not get user/group ID of NAME". */
bool privdrop_switch_user(const char *name, char *msg, size_t msg_len);

#endif
