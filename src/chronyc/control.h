/* control: the request builders of chronyc's commands that change chronyd's
 * state or ask a yes/no question (accheck). Each reads the command's
 * arguments with chrony's syntax, prints chrony's message on stderr when
 * they are wrong, and fills a request; the caller sends it and prints the
 * daemon's status. Where a newer daemon has a newer form of a request, the
 * newest is built first and the form chrony 4.3 understands added after it. */
#ifndef CW_CHRONYC_CONTROL_H
#define CW_CHRONYC_CONTROL_H

#include <stdbool.h>

#include "chronyc/commands.h"
#include "chronyc/request.h"

typedef bool (*control_builder)(struct commands_context *ctx, char *args, struct request *req);

bool control_accheck(struct commands_context *ctx, char *args, struct request *req);
bool control_cmdaccheck(struct commands_context *ctx, char *args, struct request *req);
bool control_add(struct commands_context *ctx, char *args, struct request *req);
bool control_allow(struct commands_context *ctx, char *args, struct request *req);
bool control_deny(struct commands_context *ctx, char *args, struct request *req);
bool control_cmdallow(struct commands_context *ctx, char *args, struct request *req);
bool control_cmddeny(struct commands_context *ctx, char *args, struct request *req);
bool control_burst(struct commands_context *ctx, char *args, struct request *req);
bool control_cyclelogs(struct commands_context *ctx, char *args, struct request *req);
bool control_delete(struct commands_context *ctx, char *args, struct request *req);
bool control_dfreq(struct commands_context *ctx, char *args, struct request *req);
bool control_doffset(struct commands_context *ctx, char *args, struct request *req);
bool control_dump(struct commands_context *ctx, char *args, struct request *req);
bool control_local(struct commands_context *ctx, char *args, struct request *req);
bool control_makestep(struct commands_context *ctx, char *args, struct request *req);
/* manual on|off|reset and manual delete N ("manual list" is a report) */
bool control_manual(struct commands_context *ctx, char *args, struct request *req);
bool control_maxdelay(struct commands_context *ctx, char *args, struct request *req);
bool control_maxdelayratio(struct commands_context *ctx, char *args, struct request *req);
bool control_maxdelaydevratio(struct commands_context *ctx, char *args, struct request *req);
bool control_maxpoll(struct commands_context *ctx, char *args, struct request *req);
bool control_minpoll(struct commands_context *ctx, char *args, struct request *req);
bool control_minstratum(struct commands_context *ctx, char *args, struct request *req);
bool control_polltarget(struct commands_context *ctx, char *args, struct request *req);
bool control_maxupdateskew(struct commands_context *ctx, char *args, struct request *req);
bool control_offline(struct commands_context *ctx, char *args, struct request *req);
bool control_online(struct commands_context *ctx, char *args, struct request *req);
bool control_onoffline(struct commands_context *ctx, char *args, struct request *req);
bool control_offset(struct commands_context *ctx, char *args, struct request *req);
bool control_refresh(struct commands_context *ctx, char *args, struct request *req);
bool control_rekey(struct commands_context *ctx, char *args, struct request *req);
bool control_reload(struct commands_context *ctx, char *args, struct request *req);
bool control_reselect(struct commands_context *ctx, char *args, struct request *req);
bool control_reselectdist(struct commands_context *ctx, char *args, struct request *req);
bool control_reset(struct commands_context *ctx, char *args, struct request *req);
bool control_selectopts(struct commands_context *ctx, char *args, struct request *req);
bool control_shutdown(struct commands_context *ctx, char *args, struct request *req);
bool control_smoothtime(struct commands_context *ctx, char *args, struct request *req);
bool control_trimrtc(struct commands_context *ctx, char *args, struct request *req);
bool control_writertc(struct commands_context *ctx, char *args, struct request *req);

#endif
