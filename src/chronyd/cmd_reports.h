/* cmd_reports: the monitoring requests of the command server (chronyc's
 * reports): sources (n_sources, source_data), sourcename, ntpdata,
 * activity, serverstats, clients, authdata, tracking, sourcestats,
 * selectdata, manual list (chronyd/manual_input's samples), smoothing
 * (chronyd/smoothing; 505 when smoothtime is not configured), and the
 * reports of facilities this chronyd does not have (rtcdata), answered as
 * chrony answers when they are not running. Each handler
 * reads the live state of the engine (chronyd/ntp_client, core/clientlog,
 * core/reference) and writes chrony's reply layout; the values follow
 * chrony's definitions (offsets in `sources` are positive when our clock
 * is ahead, ages in whole seconds, ...). See chronyd/cmdmon.h for the
 * handler contract. */
#ifndef CW_CMD_REPORTS_H
#define CW_CMD_REPORTS_H

#include "chronyd/cmdmon.h"

void cmd_reports_n_sources(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_reports_source_data(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_reports_source_name(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_reports_ntp_data(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_reports_activity(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_reports_server_stats(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_reports_clients(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_reports_auth_data(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_reports_tracking(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_reports_sourcestats(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_reports_select_data(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_reports_rtc(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_reports_smoothing(const struct cmdmon_request *rq, struct cmdmon_reply *rp);
void cmd_reports_manual_list(const struct cmdmon_request *rq, struct cmdmon_reply *rp);

/* The source (index for ntp_client_get_info) with this address, any
 * port; -1 when none. */
long cmd_reports_find_source(const addr_ip *ip);

#endif
