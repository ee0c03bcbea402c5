/* Stable names of rejection reasons, view-change causes and P2P disconnect
 * reasons, used as metric keys and in reports.
 *
 * The names are part of the output format (SQLite rows, report.json), so
 * they never change once released; a new reason gets a new name. */
#include "protocol/core/event.h"

#include <glib.h>

static const char *const reject_reason_names[PROTO_REJECT_REASON_COUNT] = {
    [PROTO_REJECT_NONE] = "none",
    [PROTO_REJECT_DECODE] = "decode",
    [PROTO_REJECT_SIGNATURE] = "signature",
    [PROTO_REJECT_SCHEDULE] = "schedule",
    [PROTO_REJECT_STATE_ROOT] = "state_root",
    [PROTO_REJECT_TX_INVALID] = "tx_invalid",
    [PROTO_REJECT_TIMESTAMP] = "timestamp",
    [PROTO_REJECT_LINKAGE] = "linkage",
    [PROTO_REJECT_LIMIT] = "limit",
    [PROTO_REJECT_OLD_KEY] = "old_key",
};

const char *proto_reject_reason_name(proto_reject_reason reason)
{
    if ((unsigned)reason >= PROTO_REJECT_REASON_COUNT || reject_reason_names[reason] == NULL) {
        return "unknown";
    }
    return reject_reason_names[reason];
}

static const char *const view_cause_names[PROTO_VIEW_CAUSE_COUNT] = {
    [PROTO_VIEW_CAUSE_NONE] = "none",
    [PROTO_VIEW_CAUSE_TIMEOUT] = "timeout",
    [PROTO_VIEW_CAUSE_NEWVIEW_TIMEOUT] = "newview_timeout",
    [PROTO_VIEW_CAUSE_JOIN] = "join",
};

const char *proto_view_cause_name(proto_view_cause cause)
{
    if ((unsigned)cause >= PROTO_VIEW_CAUSE_COUNT)
        return "unknown";
    return view_cause_names[cause];
}

static const char *const p2p_reason_names[PROTO_P2P_REASON_COUNT] = {
    [PROTO_P2P_REASON_NONE] = "none",
    [PROTO_P2P_REASON_UNRESPONSIVE] = "unresponsive",
    [PROTO_P2P_REASON_SCORE] = "score",
    [PROTO_P2P_REASON_RATE] = "rate",
    [PROTO_P2P_REASON_PRUNE] = "prune",
    [PROTO_P2P_REASON_GOODBYE] = "goodbye",
    [PROTO_P2P_REASON_LEAVING] = "leaving",
};

const char *proto_p2p_reason_name(proto_p2p_reason reason)
{
    if ((unsigned)reason >= PROTO_P2P_REASON_COUNT)
        return "unknown";
    return p2p_reason_names[reason];
}
