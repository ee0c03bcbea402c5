/* The multisig module's invariants (multisig.h), run at every committed
 * height by the conservation checker through proto_state_invariants:
 * Safe's owner-set properties (nonzeroThreshold, threshold <= owners,
 * distinct owners, which sorted order makes checkable in one pass), ids
 * in creation order, the balances against the module's supply, the
 * nonces against the operations executed, and the pending approvals:
 * sorted, each by current owners of an existing multisig, within the
 * per-owner maximum. */
#include <string.h>

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

/* The approvals: strictly ascending by (multisig, hash), each naming an
 * existing multisig and at least one of its owners and no position past
 * them; per owner at most the maximum pending. */
static void check_approvals(const multisig_state *st, GString *why, bool *ok)
{
    uint32_t per_slot[PROTO_MULTISIG_OWNERS_MAX] = {0};
    for (guint k = 0; k < st->approvals->len; k++) {
        const multisig_approval *a = &g_array_index(st->approvals, multisig_approval, k);
        const multisig_approval *prev =
            k > 0 ? &g_array_index(st->approvals, multisig_approval, k - 1) : NULL;
        if (prev != NULL && (prev->multisig > a->multisig ||
                             (prev->multisig == a->multisig &&
                              memcmp(prev->op_hash.bytes, a->op_hash.bytes, PROTO_HASH_SIZE) >= 0)))
            broken(why, ok, "approvals are not sorted and distinct", a->multisig);
        if (prev == NULL || prev->multisig != a->multisig)
            memset(per_slot, 0, sizeof per_slot);
        const proto_multisig *ms = proto_multisig__find(st, a->multisig);
        if (ms == NULL) {
            broken(why, ok, "an approval names no multisig", a->multisig);
            continue;
        }
        if (a->approvers == 0 || (a->approvers >> ms->owners_count) != 0)
            broken(why, ok, "an approval names no owner or one past the owners", a->multisig);
        for (uint32_t i = 0; i < PROTO_MULTISIG_OWNERS_MAX; i++)
            if ((a->approvers >> i) & 1u &&
                ++per_slot[i] == PROTO_MULTISIG_APPROVALS_PER_OWNER_MAX + 1)
                broken(why, ok, "an owner has more approvals than the maximum", a->multisig);
    }
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
    check_approvals(st, why, &ok);
    return ok;
}
