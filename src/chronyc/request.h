/* request: one command to chronyd as chronyc's commands see it. A request
 * has one or two forms (the newest first; the older one is sent when the
 * daemon refuses the newer as an unknown command or a bad length, e.g.
 * "local" as LOCAL3 for 4.6+ and LOCAL2 for 4.3) and the reply codes it
 * accepts (the first, newest one decides the padding). This module sends
 * it, prints the daemon's status the way chrony does ("200 OK",
 * "503 No such source", "506 Cannot talk to daemon", ...) and checks that
 * the reply is one of those expected ("508 Bad reply from daemon"). */
#ifndef CW_CHRONYC_REQUEST_H
#define CW_CHRONYC_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "candm_wire.h"
#include "chronyc/commands.h"
#include "chronyc/transport.h"

#define REQUEST_MAX_FORMS 2
#define REQUEST_MAX_REPLIES 2
#define REQUEST_MAX_DATA (sizeof(struct candm_req_ntp_source))   /* the largest */

struct request_form {
    uint16_t command;
    uint16_t data_len;
    uint8_t data[REQUEST_MAX_DATA];
};

struct request {
    struct request_form forms[REQUEST_MAX_FORMS];
    int n_forms;
    uint16_t replies[REQUEST_MAX_REPLIES];
    int n_replies;
};

struct request_reply {
    uint8_t packet[TRANSPORT_MAX_REPLY];
    size_t len;
    uint16_t reply;             /* the reply code received */
    uint16_t status;
};

/* A request of one form with data of data_len bytes (zeroed; fill it
 * through request_data) answered by reply. */
void request_init(struct request *req, uint16_t command, size_t data_len, uint16_t reply);
void *request_data(struct request *req);
/* Also accept this (older) reply code. */
void request_accept_reply(struct request *req, uint16_t reply);
/* An older form to send when the daemon refuses the newer one. */
void *request_add_older_form(struct request *req, uint16_t command, size_t data_len);

/* Sends req through ctx's transport. verbose: print "200 OK" on success too
 * (status-only commands); errors are always printed. True when the daemon
 * answered with success (or 208/209 from accheck) and an expected reply. */
bool request_run(struct commands_context *ctx, const struct request *req,
                 struct request_reply *reply, bool verbose);

/* The reply's data (after its header). */
const void *request_reply_data(const struct request_reply *reply);

/* chrony's text for a status code ("503 No such source"). */
const char *request_status_text(uint16_t status);

#endif
