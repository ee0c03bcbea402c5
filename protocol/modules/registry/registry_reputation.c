/* The registry's reputation epoch: every record's reputation from
 * EigenTrust (protocol/modules/reputation/eigentrust.h) over the
 * consumers' feedback, run in the end block every reputation_epoch_ns.
 *
 *   peers     every record, in account order (agents that left keep
 *             their history and their place);
 *   edges     rater -> ratee with weight max(positive - negative, 0):
 *             EigenTrust's local trust s_ij = sat(i, j) - unsat(i, j)
 *             floored at zero (Kamvar et al., section 4.1), where a
 *             confirmation scoring at least PROTO_REGISTRY_POSITIVE_SCORE
 *             is satisfied and a rejection, a low score or a missed
 *             deadline is not;
 *   pre-trust the registered consumers (capabilities 0) that are active
 *             or suspended, weighted by their bonds: trust enters the
 *             graph only through identities that paid a bond to post
 *             real, escrowed jobs. When there is none, every record
 *             equally.
 * With alpha = trust_alpha_permille / 1000, t = (1 - alpha) C^T t +
 * alpha p, iterated to 10^-12 (at most 64 steps). A ring of identities
 * that only rate each other, and that no pre-trusted consumer rates,
 * gets exactly zero; a provider's trust is the pre-trusted consumers'
 * satisfied business with it, passed along. The result, scaled from
 * EigenTrust's 10^18 to PROTO_REGISTRY_TRUST_ONE, is each record's
 * reputation (the agents' matching reads it, agent_match.h).
 *
 * Cost: at most 64 x (edges + 2 records) multiply-shifts per epoch,
 * edges <= consumers x providers. */
#include "protocol/modules/registry/registry_internal.h"

#include "protocol/modules/reputation/eigentrust.h"

#define EPOCH_ITERATIONS_MAX 64u
#define EPOCH_TOLERANCE 1000000u /* 10^-12 of one */

bool proto_registry__epoch_due(const registry_state *st, int64_t now_ns)
{
    int64_t epoch = st->params.reputation_epoch_ns;
    return epoch > 0 && st->agents->len > 0 && now_ns - st->reputation_at_ns >= epoch;
}

static uint64_t pretrust_of(const proto_agent_record *a)
{
    bool listed = a->status == PROTO_AGENT_ACTIVE || a->status == PROTO_AGENT_SUSPENDED;
    return a->capabilities == 0 && listed ? a->bond : 0;
}

void proto_registry__epoch(registry_state *st, int64_t now_ns)
{
    uint32_t n = st->agents->len;
    g_assert(n > 0);
    st->reputation_at_ns = now_ns;
    uint64_t *pretrust = g_new0(uint64_t, n);
    uint64_t *trust = g_new0(uint64_t, n);
    bool any = false;
    for (uint32_t k = 0; k < n; k++) {
        pretrust[k] = pretrust_of(&g_array_index(st->agents, proto_agent_record, k));
        any = any || pretrust[k] > 0;
    }
    for (uint32_t k = 0; k < n && !any; k++)
        pretrust[k] = 1;
    GArray *edges = g_array_sized_new(FALSE, FALSE, sizeof(proto_eigentrust_edge),
                                      st->feedback->len);
    for (guint i = 0; i < st->feedback->len; i++) {
        const proto_registry_feedback_rec *f =
            &g_array_index(st->feedback, proto_registry_feedback_rec, i);
        if (f->count_positive <= f->count_negative)
            continue;
        gint from = proto_registry__find(st, f->rater), to = proto_registry__find(st, f->ratee);
        g_assert(from >= 0 && to >= 0 && from != to); /* feedback is between records */
        proto_eigentrust_edge e = {.from = (uint32_t)from, .to = (uint32_t)to,
                                   .weight = f->count_positive - f->count_negative};
        g_array_append_val(edges, e);
    }
    proto_eigentrust_params p = {.alpha_num = st->params.trust_alpha_permille,
                                 .alpha_den = 1000,
                                 .iterations_max = EPOCH_ITERATIONS_MAX,
                                 .tolerance = EPOCH_TOLERANCE};
    proto_eigentrust_compute(n, (const proto_eigentrust_edge *)edges->data, edges->len, pretrust,
                             &p, trust);
    for (uint32_t k = 0; k < n; k++)
        g_array_index(st->agents, proto_agent_record, k).reputation =
            trust[k] / (PROTO_EIGENTRUST_ONE / PROTO_REGISTRY_TRUST_ONE);
    g_array_unref(edges);
    g_free(pretrust);
    g_free(trust);
}
