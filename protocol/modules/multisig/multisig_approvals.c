/* The multisig module's pending approvals (multisig.h, "Approvals"): one
 * sorted array of (multisig, operation hash, approving owners) for the
 * whole module, found by binary search. A multisig's approvals are one
 * contiguous run of it, so an execution drops them with one removal.
 * The array holds only what is pending at each multisig's current nonce,
 * so it stays small: at most owners x PROTO_MULTISIG_APPROVALS_PER_OWNER_MAX
 * entries per multisig, and usually none. */
#include <string.h>

#include "protocol/modules/multisig/multisig_internal.h"

/* (a, ha) against (b, hb), as memcmp. */
static int key_cmp(uint32_t a, const proto_hash *ha, uint32_t b, const proto_hash *hb)
{
    if (a != b)
        return a < b ? -1 : 1;
    return memcmp(ha->bytes, hb->bytes, PROTO_HASH_SIZE);
}

/* The first index whose key is not below (id, op_hash); op_hash NULL:
 * the first of multisig id. */
static guint lower_bound(const GArray *approvals, uint32_t id, const proto_hash *op_hash)
{
    static const proto_hash zero;
    const proto_hash *h = op_hash != NULL ? op_hash : &zero;
    guint lo = 0, hi = approvals->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        const multisig_approval *a = &g_array_index(approvals, multisig_approval, mid);
        if (key_cmp(a->multisig, &a->op_hash, id, h) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const multisig_approval *proto_multisig__approval(const multisig_state *st, uint32_t id,
                                                  const proto_hash *op_hash)
{
    guint k = lower_bound(st->approvals, id, op_hash);
    if (k == st->approvals->len)
        return NULL;
    const multisig_approval *a = &g_array_index(st->approvals, multisig_approval, k);
    return key_cmp(a->multisig, &a->op_hash, id, op_hash) == 0 ? a : NULL;
}

uint32_t proto_multisig__approvers_count(const multisig_state *st, uint32_t id,
                                         const proto_hash *op_hash)
{
    const multisig_approval *a = proto_multisig__approval(st, id, op_hash);
    return a != NULL ? proto_multisig__bits(a->approvers) : 0;
}

uint32_t proto_multisig__approvals_of(const multisig_state *st, uint32_t id, uint32_t slot)
{
    g_assert(slot < PROTO_MULTISIG_OWNERS_MAX);
    uint32_t count = 0;
    for (guint k = lower_bound(st->approvals, id, NULL); k < st->approvals->len; k++) {
        const multisig_approval *a = &g_array_index(st->approvals, multisig_approval, k);
        if (a->multisig != id)
            break;
        count += (a->approvers >> slot) & 1u;
    }
    return count;
}

void proto_multisig__approve(multisig_state *st, uint32_t id, const proto_hash *op_hash,
                             uint32_t slot)
{
    g_assert(slot < PROTO_MULTISIG_OWNERS_MAX);
    guint k = lower_bound(st->approvals, id, op_hash);
    if (k < st->approvals->len) {
        multisig_approval *a = &g_array_index(st->approvals, multisig_approval, k);
        if (key_cmp(a->multisig, &a->op_hash, id, op_hash) == 0) {
            g_assert((a->approvers & (1u << slot)) == 0);
            a->approvers |= 1u << slot;
            return;
        }
    }
    multisig_approval a = {.multisig = id, .approvers = 1u << slot, .op_hash = *op_hash};
    g_array_insert_val(st->approvals, k, a);
}

void proto_multisig__approvals_drop(multisig_state *st, uint32_t id)
{
    guint first = lower_bound(st->approvals, id, NULL), end = first;
    while (end < st->approvals->len &&
           g_array_index(st->approvals, multisig_approval, end).multisig == id)
        end++;
    if (end > first)
        g_array_remove_range(st->approvals, first, end - first);
}

int proto_multisig__owner_slot(const proto_multisig *ms, uint32_t account)
{
    for (uint32_t i = 0; i < ms->owners_count && ms->owners[i] <= account; i++)
        if (ms->owners[i] == account)
            return (int)i;
    return -1;
}

/* ---- readers (multisig.h) ---- */

uint32_t proto_multisig_approvals(const proto_state *s, uint32_t id, const proto_hash *op_hash)
{
    const multisig_state *st = proto_multisig__get(s);
    return st != NULL ? proto_multisig__approvers_count(st, id, op_hash) : 0;
}

bool proto_multisig_approved(const proto_state *s, uint32_t id, const proto_hash *op_hash,
                             uint32_t owner)
{
    const multisig_state *st = proto_multisig__get(s);
    const proto_multisig *ms = proto_multisig_get(s, id);
    if (ms == NULL)
        return false;
    int slot = proto_multisig__owner_slot(ms, owner);
    const multisig_approval *a = proto_multisig__approval(st, id, op_hash);
    return slot >= 0 && a != NULL && (a->approvers >> slot) & 1u;
}

uint32_t proto_multisig_pending_hashes(const proto_state *s, uint32_t id)
{
    const multisig_state *st = proto_multisig__get(s);
    if (st == NULL)
        return 0;
    uint32_t count = 0;
    for (guint k = lower_bound(st->approvals, id, NULL);
         k < st->approvals->len &&
         g_array_index(st->approvals, multisig_approval, k).multisig == id;
         k++)
        count++;
    return count;
}

uint64_t proto_multisig_pending_total(const proto_state *s)
{
    const multisig_state *st = proto_multisig__get(s);
    if (st == NULL)
        return 0;
    uint64_t total = 0;
    for (guint k = 0; k < st->approvals->len; k++)
        total += proto_multisig__bits(g_array_index(st->approvals, multisig_approval, k).approvers);
    return total;
}
