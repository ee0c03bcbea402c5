/* Executing and building a PBFT block's extension (pbft_ext.h): downtime
 * accounting from the parent's commit signatures, slashing for
 * equivocation evidence.
 *
 * Execution is a state transition like a transaction's: it changes the
 * bonded set, which the validator module owns inside the state (so the
 * state root covers it), through that module's slashing API. (Unjail and
 * key rotation are transactions, whose effects the validator module
 * reports into the same list, n->effects.) It records into
 * the block's undo log, and depends only on the block and the state
 * (the block's timestamp is "now" for jail times). Every node runs it
 * when it validates or commits the block; the proposer runs it when it
 * builds the block. What it did (slashings, unjails, rotations) is
 * reported when the block commits, not when it is merely validated.
 *
 * Building picks from the node's pools only what the state accepts, in a
 * canonical order, so a proposer never builds a block its own execution
 * refuses. */
#include "protocol/pbft/pbft_internal.h"

#include <string.h>

#include "protocol/chain/valset.h"
#include "protocol/modules/distribution/distribution.h"
#include "protocol/modules/staking/staking.h"
#include "protocol/modules/validator/validator.h"
#include "protocol/pbft/pbft_ext.h"

static void add_effect(pbft_node *n, proto_event_kind kind, uint32_t validator,
                       uint64_t effective_height)
{
    proto_event ev = {.kind = kind, .validator = validator, .effective_height = effective_height};
    g_array_append_val(n->effects, ev);
}

static void add_slash(pbft_node *n, proto_slash_reason reason, uint32_t validator,
                      uint64_t evidence_height, uint64_t amount, uint64_t effective_height)
{
    add_effect(n, PROTO_EV_SLASHED, validator, effective_height);
    proto_event *ev = &g_array_index(n->effects, proto_event, n->effects->len - 1);
    ev->slash_reason = reason;
    ev->evidence_height = evidence_height;
    ev->amount = amount;
}

/* On a chain whose staking module owns the stake, the validator module
 * only jails (and tombstones): the slash itself goes through the staking
 * module (Keeper.Slash), so it reaches every delegator's shares and the
 * unbonding and redelegation entries made since the infraction, with the
 * power the validator had at the infraction height. Returns the tokens
 * burned; 0 on a chain without the module. */
static uint64_t staking_slash(pbft_node *n, proto_state *s, const proto_block *b, uint32_t v,
                              uint64_t infraction_height, uint64_t num, uint64_t den,
                              proto_undo *undo)
{
    if (proto_staking_get(s) == NULL)
        return 0;
    proto_gas_meter gas;
    proto_gas_meter_init(&gas, UINT64_MAX);
    proto_msg_ctx ctx = {.undo = undo,
                         .gas = &gas,
                         .sender = PROTO_ACCOUNT_NONE,
                         .crypto = n->p->crypto,
                         .chain_id = n->p->chain_id,
                         .height = b->header.height,
                         .time_ns = b->header.timestamp_ns};
    proto_dec fraction;
    proto_dec_result r = proto_dec_quo(proto_dec_from_amount((proto_amount)num),
                                       proto_dec_from_amount((proto_amount)den), &fraction);
    g_assert(r == PROTO_DEC_OK); /* chain parameters, checked at genesis */
    uint64_t power = proto_valset_power_at(proto_validator_set(s), v, infraction_height);
    proto_amount burned = 0;
    proto_staking_result res =
        proto_staking_slash(s, &ctx, v, infraction_height, power, fraction, &burned);
    g_assert(res == PROTO_STAKING_OK || res == PROTO_STAKING_UNBONDED_VALIDATOR);
    return (uint64_t)burned;
}

/* The parent's commit signatures: who signed height - 1. */
static bool execute_last_commit(pbft_node *n, proto_state *s, const proto_block *b,
                                const pbft_ext *ext, proto_undo *undo)
{
    uint64_t h = b->header.height;
    if (ext->has_last_commit != (h >= 2))
        return false;
    if (h < 2)
        return true;
    const pbft_cert *lc = &ext->last_commit;
    const pbft_members *m = pbft_members_at(n, h - 1);
    if (lc->seq != h - 1 || !proto_hash_equal(&lc->digest, &b->header.parent) ||
        !pbft_commit_cert_verify(n, lc, m))
        return false;
    uint32_t count = n->p->validators_count;
    bool *signed_mask = g_new0(bool, count);
    for (guint i = 0; i < lc->sigs->len; i++)
        signed_mask[g_array_index(lc->sigs, pbft_cert_sig, i).validator] = true;
    GArray *jailed = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    GArray *burned = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    proto_validator_record_commit(s, h - 1, h, b->header.timestamp_ns, signed_mask, jailed, burned,
                                  undo);
    /* Who signed h - 1 and with what power is who the distribution module
     * pays this block's rewards to (nothing happens without it); the
     * proposer reward goes to this block's proposer. */
    proto_distribution_record_votes(s, b->header.proposer, m->powers, signed_mask, count, undo);
    const proto_slashing_params *sp = proto_valset_params(proto_validator_set(s));
    for (guint i = 0; i < jailed->len; i++) {
        uint32_t v = g_array_index(jailed, uint32_t, i);
        uint64_t amount = g_array_index(burned, uint64_t, i) +
                          staking_slash(n, s, b, v, h - 1, sp->slash_downtime_num,
                                        sp->slash_downtime_den, undo);
        add_slash(n, PROTO_SLASH_DOWNTIME, v, h - 1, amount, h + pbft_update_delay(n));
    }
    g_array_unref(jailed);
    g_array_unref(burned);
    g_free(signed_mask);
    return true;
}

/* The one rule for evidence in block `h`, used when building a block and
 * when executing one, so a proposer never builds what execution refuses:
 * a known validator, not tombstoned, an infraction no later than h and no
 * older than evidence_max_age, both votes signed with its key then. */
static bool evidence_acceptable(pbft_node *n, const proto_valset *vs, const pbft_evidence *e,
                                uint64_t h)
{
    uint32_t v = e->a.validator;
    return v < n->p->validators_count && e->a.seq <= h &&
           proto_valset_check_double_sign(vs, v, e->a.seq, h) == PROTO_VALSET_OK &&
           pbft_evidence_verify(e, n->p->chain_id, n->p->crypto,
                                &pbft_members_at(n, e->a.seq)->keys[v]);
}

static bool execute_evidence(pbft_node *n, proto_state *s, const proto_block *b,
                             const pbft_evidence *e, proto_undo *undo)
{
    uint64_t h = b->header.height;
    uint32_t v = e->a.validator;
    if (!evidence_acceptable(n, proto_validator_set(s), e, h))
        return false;
    uint64_t amount = proto_validator_slash_double_sign(s, v, h, b->header.timestamp_ns, undo);
    const proto_slashing_params *sp = proto_valset_params(proto_validator_set(s));
    amount += staking_slash(n, s, b, v, e->a.seq, sp->slash_double_sign_num,
                            sp->slash_double_sign_den, undo);
    add_slash(n, PROTO_SLASH_DOUBLE_SIGN, v, e->a.seq, amount, h + pbft_update_delay(n));
    return true;
}

bool pbft_ext_execute(void *ctx, proto_state *s, const proto_block *b, proto_undo *undo)
{
    pbft_node *n = ctx;
    g_assert(s == n->state && b->header.height == n->committed + 1);
    pbft_ext ext;
    if (!pbft_ext_decode(b->ext, &ext))
        return false;
    bool ok = execute_last_commit(n, s, b, &ext, undo);
    for (guint i = 0; ok && i < ext.evidence->len; i++)
        ok = execute_evidence(n, s, b, &g_array_index(ext.evidence, pbft_evidence, i), undo);
    pbft_ext_clear(&ext);
    return ok;
}

void pbft_effects_emit(pbft_node *n, const proto_block *b)
{
    for (guint i = 0; i < n->effects->len; i++) {
        proto_event ev = g_array_index(n->effects, proto_event, i);
        ev.height = b->header.height;
        ev.slot = b->header.slot;
        ev.proposer = b->header.proposer;
        ev.proposed_ns = b->header.timestamp_ns;
        ev.hash = b->hash.bytes;
        pbft_emit(n, &ev);
    }
    g_array_set_size(n->effects, 0);
}

/* ---- building ---- */

static int evidence_cmp(gconstpointer pa, gconstpointer pb)
{
    const pbft_evidence *a = pa, *b = pb;
    if (a->a.seq != b->a.seq)
        return a->a.seq < b->a.seq ? -1 : 1;
    if (a->a.validator != b->a.validator)
        return a->a.validator < b->a.validator ? -1 : 1;
    if (a->a.phase != b->a.phase)
        return a->a.phase < b->a.phase ? -1 : 1;
    if (a->a.view != b->a.view)
        return a->a.view < b->a.view ? -1 : 1;
    return proto_hash_compare(&a->a.digest, &b->a.digest);
}

/* Evidence from the pool the block can carry: verified, not tombstoned,
 * not too old, one per validator, oldest infraction first. chosen[v] marks
 * who it accuses. */
static void pick_evidence(pbft_node *n, uint64_t h, GArray *out, bool *chosen)
{
    GArray *all = g_array_new(FALSE, FALSE, sizeof(pbft_evidence));
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, n->evidence);
    while (g_hash_table_iter_next(&it, &key, &value))
        g_array_append_vals(all, value, 1);
    g_array_sort(all, evidence_cmp); /* the pool's hash order must not leak out */
    const proto_valset *vs = pbft_valset(n);
    for (guint i = 0; i < all->len && out->len < PBFT_EXT_EVIDENCE_MAX; i++) {
        const pbft_evidence *e = &g_array_index(all, pbft_evidence, i);
        uint32_t v = e->a.validator;
        if ((v < n->p->validators_count && chosen[v]) || !evidence_acceptable(n, vs, e, h))
            continue;
        chosen[v] = true;
        g_array_append_val(out, *e);
    }
    g_array_unref(all);
}

GBytes *pbft_ext_build(pbft_node *n, uint64_t height, bool minimal)
{
    g_assert(height == n->committed + 1);
    pbft_ext ext;
    pbft_ext_init(&ext);
    if (height >= 2) {
        g_assert(n->commit_cert.seq == n->committed);
        pbft_late_commits_merge(n);
        pbft_cert_copy(&ext.last_commit, &n->commit_cert);
        ext.has_last_commit = true;
    }
    if (!minimal) {
        bool *chosen = g_new0(bool, n->p->validators_count);
        pick_evidence(n, height, ext.evidence, chosen);
        g_free(chosen);
    }
    GBytes *out = pbft_ext_encode(&ext);
    pbft_ext_clear(&ext);
    return out;
}
