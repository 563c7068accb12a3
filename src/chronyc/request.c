/* request: sending a command's request, its older forms, and chrony's
 * status messages. */
#include "chronyc/request.h"

#include <string.h>

#include "common/cmdproto.h"

static const struct {
    uint16_t status;
    const char *text;
} status_texts[] = {
    { CANDM_STT_SUCCESS, "200 OK" },
    { CANDM_STT_ACCESSALLOWED, "208 Access allowed" },
    { CANDM_STT_ACCESSDENIED, "209 Access denied" },
    { CANDM_STT_FAILED, "500 Failure" },
    { CANDM_STT_UNAUTH, "501 Not authorised" },
    { CANDM_STT_INVALID, "502 Invalid command" },
    { CANDM_STT_NOSUCHSOURCE, "503 No such source" },
    { CANDM_STT_INVALIDTS, "504 Duplicate or stale logon detected" },
    { CANDM_STT_NOTENABLED, "505 Facility not enabled in daemon" },
    { CANDM_STT_BADSUBNET, "507 Bad subnet" },
    { CANDM_STT_NOHOSTACCESS, "510 No command access from this host" },
    { CANDM_STT_SOURCEALREADYKNOWN, "511 Source already present" },
    { CANDM_STT_TOOMANYSOURCES, "512 Too many sources present" },
    { CANDM_STT_NORTC, "513 RTC driver not running" },
    { CANDM_STT_BADRTCFILE, "514 Can't write RTC parameters" },
    { CANDM_STT_INVALIDAF, "515 Invalid address family" },
    { CANDM_STT_BADSAMPLE, "516 Sample index out of range" },
    { CANDM_STT_BADPKTVERSION, "517 Protocol version mismatch" },
    { CANDM_STT_BADPKTLENGTH, "518 Packet length mismatch" },
    { CANDM_STT_INACTIVE, "519 Client logging is not active in the daemon" },
    { CANDM_STT_INVALIDNAME, "521 Invalid name" },
};

#define MSG_NO_DAEMON "506 Cannot talk to daemon"
#define MSG_BAD_REPLY "508 Bad reply from daemon"
#define MSG_UNKNOWN_STATUS "520 Got unexpected error from daemon"

const char *request_status_text(uint16_t status)
{
    for (size_t i = 0; i < sizeof status_texts / sizeof status_texts[0]; i++) {
        if (status_texts[i].status == status)
            return status_texts[i].text;
    }
    return MSG_UNKNOWN_STATUS;
}

void request_init(struct request *req, uint16_t command, size_t data_len, uint16_t reply)
{
    memset(req, 0, sizeof *req);
    req->forms[0].command = command;
    req->forms[0].data_len = (uint16_t)(data_len <= REQUEST_MAX_DATA ? data_len : REQUEST_MAX_DATA);
    req->n_forms = 1;
    req->replies[0] = reply;
    req->n_replies = 1;
}

void *request_data(struct request *req)
{
    return req->forms[0].data;
}

void request_accept_reply(struct request *req, uint16_t reply)
{
    if (req->n_replies < REQUEST_MAX_REPLIES)
        req->replies[req->n_replies++] = reply;
}

void *request_add_older_form(struct request *req, uint16_t command, size_t data_len)
{
    if (req->n_forms >= REQUEST_MAX_FORMS)
        return NULL;
    struct request_form *f = &req->forms[req->n_forms++];
    memset(f, 0, sizeof *f);
    f->command = command;
    f->data_len = (uint16_t)(data_len <= REQUEST_MAX_DATA ? data_len : REQUEST_MAX_DATA);
    return f->data;
}

const void *request_reply_data(const struct request_reply *reply)
{
    return reply->packet + CANDM_REPLY_HEADER_LEN;
}

static bool status_is_success(uint16_t status)
{
    return status == CANDM_STT_SUCCESS || status == CANDM_STT_ACCESSALLOWED ||
           status == CANDM_STT_ACCESSDENIED;
}

/* A form the daemon may refuse because it is too new for it. */
static bool refused_as_unknown(uint16_t status)
{
    return status == CANDM_STT_INVALID || status == CANDM_STT_BADPKTLENGTH;
}

bool request_run(struct commands_context *ctx, const struct request *req,
                 struct request_reply *reply, bool verbose)
{
    for (int i = 0; i < req->n_forms; i++) {
        const struct request_form *f = &req->forms[i];
        struct transport_msg msg = {
            .command = f->command,
            .data = f->data,
            .data_len = f->data_len,
            .padded_len = cmdproto_request_len(f->command, req->replies[0]),
        };
        if (!ctx->transport ||
            !transport_exchange(ctx->transport, &msg, ctx->timeout_ms, ctx->max_retries,
                                reply->packet, sizeof reply->packet, &reply->len)) {
            fprintf(ctx->out, "%s\n", MSG_NO_DAEMON);
            return false;
        }

        struct candm_reply_header hdr;
        memcpy(&hdr, reply->packet, sizeof hdr);
        reply->status = cmdproto_get16(&hdr.status);
        reply->reply = cmdproto_get16(&hdr.reply);

        if (refused_as_unknown(reply->status) && i + 1 < req->n_forms)
            continue;
        break;
    }

    if (verbose || reply->status != CANDM_STT_SUCCESS)
        fprintf(ctx->out, "%s\n", request_status_text(reply->status));
    if (!status_is_success(reply->status))
        return false;

    for (int i = 0; i < req->n_replies; i++) {
        if (reply->reply == req->replies[i])
            return true;
    }
    fprintf(ctx->out, "%s\n", MSG_BAD_REPLY);
    return false;
}
