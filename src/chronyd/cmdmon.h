/* cmdmon: chronyd's command and monitoring server (chrony's cmdmon.c),
 * wire-compatible with chronyc 4.3 and 4.8 and with anything else speaking
 * chrony's command protocol (include/candm_wire.h, common/cmdproto.h).
 *
 * Owns the command sockets (the Unix socket `bindcmdaddress /PATH` names,
 * platform/cmdsock; UDP on `cmdport`, bound to the `bindcmdaddress`
 * addresses, 127.0.0.1 and ::1 by default), the command access table
 * (`cmdallow`/`cmddeny`, and the chronyc commands of those names), and the
 * path every request takes, in chrony's order:
 *
 *   from UDP: a host that is neither 127.0.0.1/::1 nor admitted by the
 *   table is ignored -> too short for a header or a bare reply, too long,
 *   not a request or reserved bytes set: dropped -> the client log counts
 *   the request (shared with the NTP server, which starts it); `cmdratelimit`
 *   may drop it unless it came from localhost (the Unix socket counts as
 *   localhost) -> a bad version gets BADPKTVERSION (versions 4 and older:
 *   nothing), an unknown code INVALID, a short request BADPKTLENGTH
 *   (cmdproto_check_request, codes of chrony 4.3 and 4.8 alike) -> on UDP,
 *   only the open requests (`opencommands`, by default chrony 4.3's
 *   monitoring set) are served, others get UNAUTH -> the handler
 *   (cmd_reports for reports, cmd_control for commands) -> the reply, in
 *   the form the request's length asks for (NTP_DATA and SERVER_STATS3 for
 *   chronyc 4.3, NTP_DATA2 and SERVER_STATS4 for 4.4+), and never longer
 *   than the request.
 *
 * Handlers see the request data as a zero-padded union of the request
 * layouts and fill a reply as a union of the reply layouts; everything on
 * the wire is big-endian (cmdproto helpers). */
#ifndef CW_CMDMON_H
#define CW_CMDMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "candm_wire.h"
#include "chronyd/conf.h"
#include "common/addr.h"

/* Opens the sockets the configuration asks for (a socket that cannot be
 * opened is logged and skipped) and builds the command access table (a bad
 * subnet is fatal). family: ADDR_UNSPEC, or ADDR_INET4 / ADDR_INET6 for
 * chronyd -4 / -6 (UDP on that family only). uid/gid: chronyd's user, who
 * must own the Unix socket's directory. Call after ntp_serve_init() (the
 * client log) and ntp_client_init(). */
void cmdmon_init(const struct conf_settings *s, int family, uid_t uid, gid_t gid);
/* Closes the sockets (removing the Unix socket's file), frees the table. */
void cmdmon_finish(void);

/* Open sockets: Unix and UDP. */
int cmdmon_socket_count(void);

/* ---- the request path, without sockets (tests, fuzzing) ---- */

struct cmdmon_origin {
    bool unix_socket;           /* full access, counts as localhost */
    addr_ip ip;                 /* UDP: the client's address */
};

/* Processes one datagram received at `now` (realtime). Writes the reply
 * into reply (cap bytes, CANDM_MAX_REQUEST_LEN is always enough) and
 * returns its length; 0: no reply. */
size_t cmdmon_process(const uint8_t *pkt, size_t len, const struct cmdmon_origin *from,
                      struct timespec now, uint8_t *reply, size_t cap);

/* ---- for the handlers ---- */

union cmdmon_request_data {
    struct candm_req_online online;
    struct candm_req_burst burst;
    struct candm_req_modify_int modify_int;
    struct candm_req_modify_float modify_float;
    struct candm_req_float single_float;
    struct candm_req_modify_makestep modify_makestep;
    struct candm_req_settime settime;
    struct candm_req_local2 local2;
    struct candm_req_local3 local3;
    struct candm_req_index index;
    struct candm_req_allow_deny allow_deny;
    struct candm_req_address address;
    struct candm_req_ntp_source ntp_source;
    struct candm_req_client_accesses client_accesses;
    struct candm_req_modify_selectopts modify_selectopts;
    struct candm_req_modify_offset modify_offset;
    uint8_t bytes[CANDM_MAX_REQUEST_LEN];
};

union cmdmon_reply_data {
    struct candm_rpy_n_sources n_sources;
    struct candm_rpy_source_data source_data;
    struct candm_rpy_manual_timestamp manual_timestamp;
    struct candm_rpy_tracking tracking;
    struct candm_rpy_sourcestats sourcestats;
    struct candm_rpy_rtc rtc;
    struct candm_rpy_client_accesses client_accesses;
    struct candm_rpy_server_stats3 server_stats3;
    struct candm_rpy_server_stats4 server_stats4;
    struct candm_rpy_manual_list manual_list;
    struct candm_rpy_activity activity;
    struct candm_rpy_smoothing smoothing;
    struct candm_rpy_ntp_data ntp_data;
    struct candm_rpy_ntp_data2 ntp_data2;
    struct candm_rpy_ntp_source_name ntp_source_name;
    struct candm_rpy_auth_data auth_data;
    struct candm_rpy_select_data select_data;
    uint8_t bytes[CANDM_MAX_REQUEST_LEN];
};

struct cmdmon_request {
    uint16_t command;           /* CANDM_REQ_* */
    uint16_t reply;             /* the reply form the request's length asks for */
    size_t length;              /* of the whole datagram */
    struct timespec now;        /* when it arrived (realtime) */
    union cmdmon_request_data data;     /* zero past the datagram's end */
};

struct cmdmon_reply {
    uint16_t reply;             /* CANDM_RPY_NULL: status only */
    uint16_t status;            /* CANDM_STT_* */
    union cmdmon_reply_data data;
};

/* A handler reads rq and sets rp->status, or rp->reply and the data. rp
 * starts as RPY_NULL, SUCCESS, all zero. */
typedef void (*cmdmon_handler)(const struct cmdmon_request *rq, struct cmdmon_reply *rp);

/* An address from a request, as chronyd reads one: families other than
 * IPv4, IPv6 and ID become ADDR_UNSPEC. */
void cmdmon_read_ip(const struct candm_ip *in, addr_ip *out);

/* The command access table (cmdallow, cmddeny). add: false for a subnet
 * whose prefix does not fit its family. check: whether ip may use the UDP
 * port (the loopback addresses may always, whatever this says). */
bool cmdmon_access_add(const addr_subnet *subnet, bool allow, bool all);
bool cmdmon_access_check(const addr_ip *ip);

#endif
