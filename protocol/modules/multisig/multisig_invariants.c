/* The multisig module's invariants (multisig.h), run at every committed
 * height by the conservation checker through proto_state_invariants:
 * Safe's owner-set properties (nonzeroThreshold, threshold <= owners,
 * distinct owners, which sorted order makes checkable in one pass), ids
 * in creation order, the balances against the module's supply, and the
 * nonces against the operations executed. */
#include "protocol/modules/multisig/multisig_internal.h"

static void broken(GString *why, bool *ok, const char *sentence, uint32_t id)
{
    g_string_append_printf(why, "%s%s (multisig %u)", *ok ? "" : ", ", sentence, id);
    *ok = false;
}

/* One multisig's owner set and threshold. */
static void check_owners(const proto_state *s, const proto_multisig *ms, GString *why, bool *ok)
{
    if (ms->owners_count == 0 || ms->owners_count > PROTO_MULTISIG_OWNERS_MAX) {
        broken(why, ok, "a multisig's owner count is out of range", ms->id);
        return;
    }
    if (ms->threshold == 0 || ms->threshold > ms->owners_count)
        broken(why, ok, "a multisig's threshold is not within 1..owners", ms->id);
    for (uint32_t i = 0; i < ms->owners_count; i++) {
        if (i > 0 && ms->owners[i] <= ms->owners[i - 1])
            broken(why, ok, "a multisig's owners are not distinct and sorted", ms->id);
        if (ms->owners[i] >= proto_state_account_count(s))
            broken(why, ok, "a multisig's owner names no account", ms->id);
    }
    for (uint32_t i = ms->owners_count; i < PROTO_MULTISIG_OWNERS_MAX; i++)
        if (ms->owners[i] != 0)
            broken(why, ok, "a multisig has an owner past its count", ms->id);
}

bool proto_multisig__invariants(const proto_state *s, const void *state, GString *why)
{
    if (state == NULL)
        return true;
    const multisig_state *st = state;
    bool ok = true;
    if (st->multisigs->len > PROTO_MULTISIG_COUNT_MAX)
        broken(why, &ok, "more multisigs than the maximum", st->multisigs->len);
    uint64_t balances = 0, nonces = 0;
    for (guint k = 0; k < st->multisigs->len; k++) {
        const proto_multisig *ms = &g_array_index(st->multisigs, proto_multisig, k);
        if (ms->id != k + 1)
            broken(why, &ok, "multisig ids are not their creation order", ms->id);
        check_owners(s, ms, why, &ok);
        balances += ms->balance;
        nonces += ms->nonce;
    }
    if (balances != st->held)
        broken(why, &ok, "the module's tokens are not the sum of the balances", 0);
    if (nonces != st->executed)
        broken(why, &ok, "the nonces do not sum to the operations executed", 0);
    return ok;
}
