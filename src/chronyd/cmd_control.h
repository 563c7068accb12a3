/* cmd_control: the control requests of the command server (chronyc's
 * commands that change something), acting on the live daemon: NTP sources
 * (online, offline, onoffline, burst, the modify commands, add, delete,
 * refresh, reload sources, reset sources, selectopts), access (allow,
 * deny, cmdallow, cmddeny, accheck, cmdaccheck), the local reference, the
 * clock and its discipline (makestep with and without THRESHOLD LIMIT,
 * dfreq, doffset, maxupdateskew, reselect, reselectdist), the daemon
 * (dump, cyclelogs, rekey, shutdown), manual time input (manual
 * on|off|reset, manual delete, settime: chronyd/manual_input), time
 * smoothing (smoothtime reset|activate: chronyd/smoothing; 505 when
 * smoothtime is not configured, as chrony), and the requests of facilities
 * this chronyd does not have (RTC), answered as chrony answers when they
 * are not running. Every handler
 * answers with chrony's status and log message (see chronyd/cmdmon.h for
 * the handler contract).
 *
 * Manual input, as chrony 4.x: settime answers 505 (facility not enabled)
 * while manual input is off, 500 (failure) for a time that is not sane or
 * comes under a second after the previous one, else the MANUAL_TIMESTAMP2
 * reply; manual delete answers 516 (bad sample index) for an index that is
 * not in the list, and works while manual input is off. */
#ifndef CW_CMD_CONTROL_H
#define CW_CMD_CONTROL_H

#include "chronyd/cmdmon.h"

/* NTP sources */
void cmd_control_online(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_offline(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_onoffline(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_burst(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_modify(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_add_source(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_delete_source(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_refresh(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_reload_sources(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_reset_sources(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_select_options(const struct cmdmon_request *rq, struct cmdmon_reply *rp);

/* access */
void cmd_control_allow_deny(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_cmd_allow_deny(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_accheck(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_cmd_accheck(const struct cmdmon_request *rq, struct cmdmon_reply *rp);

/* the reference and the clock */
void cmd_control_local(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_make_step(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_modify_makestep(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_max_update_skew(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_dfreq(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_doffset(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_reselect(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_reselect_distance(const struct cmdmon_request *rq, struct cmdmon_reply *rp);

/* the daemon */
void cmd_control_dump(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_cyclelogs(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_rekey(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_shutdown(const struct cmdmon_request *rq, struct cmdmon_reply *rp);

/* time smoothing */
void cmd_control_smoothtime(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
/* facilities this chronyd does not have */
void cmd_control_rtc(const struct cmdmon_request *rq, struct cmdmon_reply *rp);

/* manual time input */
void cmd_control_manual(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_manual_delete(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_control_settime(const struct cmdmon_request *rq, struct cmdmon_reply *rp);

#endif
