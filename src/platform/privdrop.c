/* privdrop: becoming an unprivileged user. The messages are chrony's, since
 * people and scripts compare them. */
#include "platform/privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ROOT_UID 0

bool privdrop_running_as_root(void)
{
    return geteuid() == ROOT_UID;
}

bool privdrop_lookup_user(const char *name, uid_t *uid, gid_t *gid)
{
    struct passwd *pw = getpwnam(name);
    if (!pw)
        return false;
    *uid = pw->pw_uid;
    *gid = pw->pw_gid;
    return true;
}

bool privdrop_switch_ids(uid_t uid, gid_t gid, char *msg, size_t msg_len)
{
    /* No supplementary groups at all, not the user's own list: chrony does
     * the same, so root's groups (and with them any file they open) are not
     * carried over into the unprivileged process. */
    if (setgroups(0, NULL) < 0) {
        snprintf(msg, msg_len, "setgroups() failed : %s", strerror(errno));
        return false;
    }
    /* As root, setgid() and setuid() set the real, effective and saved IDs
     * together, so there is no way back afterwards. */
    if (setgid(gid) < 0) {
        snprintf(msg, msg_len, "setgid(%u) failed : %s", (unsigned)gid, strerror(errno));
        return false;
    }
    if (setuid(uid) < 0) {
        snprintf(msg, msg_len, "setuid(%u) failed : %s", (unsigned)uid, strerror(errno));
        return false;
    }
    return true;
}

bool privdrop_switch_user(const char *name, char *msg, size_t msg_len)
{
    uid_t uid;
    gid_t gid;
    if (!privdrop_lookup_user(name, &uid, &gid)) {
        snprintf(msg, msg_len, "Could not get user/group ID of %s", name);
        return false;
    }
    return privdrop_switch_ids(uid, gid, msg, msg_len);
}
