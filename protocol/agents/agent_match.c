/* Matching a consumer's job to a provider (agent_match.h has the rule). */
#include "protocol/agents/agent_match.h"

#include <glib.h>

#include "protocol/modules/registry/registry.h"

double proto_match_weight(uint64_t reputation, uint32_t agents, uint64_t done, uint64_t failed,
                          uint32_t open, uint32_t capacity, uint64_t price)
{
    g_assert(agents > 0 && price > 0);
    if (capacity == 0 || open >= 2 * (uint64_t)capacity)
        return 0;
    double trust = (double)reputation + (double)PROTO_REGISTRY_TRUST_ONE / (4.0 * agents);
    double quality = ((double)done + 1.0) / ((double)done + (double)failed + 2.0);
    double room = 1.0 - (double)open / (2.0 * capacity);
    return trust * quality * quality * room / (double)price;
}

static bool blocked(const proto_match_request *req, uint32_t account)
{
    uint32_t lo = 0, hi = req->blocked_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (req->blocked[mid] < account)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < req->blocked_count && req->blocked[lo] == account;
}

static double candidate_weight(const proto_agent_record *r, const proto_match_request *req,
                               uint32_t agents)
{
    if (r->status != PROTO_AGENT_ACTIVE || r->account == req->consumer ||
        (r->capabilities & (1u << req->capability)) == 0 || r->price == 0 ||
        r->price > req->max_price || (req->blocked != NULL && blocked(req, r->account)))
        return 0;
    return proto_match_weight(r->reputation, agents, r->jobs_done, r->jobs_failed, r->jobs_open,
                              r->capacity, r->price);
}

uint32_t proto_match_provider(const proto_state *s, const proto_match_request *req,
                              uint64_t draw)
{
    g_assert(req->capability < 32);
    uint32_t n = proto_registry_count(s);
    if (n == 0)
        return PROTO_MATCH_NONE;
    double total = 0;
    for (uint32_t i = 0; i < n; i++)
        total += candidate_weight(proto_registry_at(s, i), req, n);
    if (!(total > 0))
        return PROTO_MATCH_NONE;
    /* 53 random bits: a uniform point in [0, total). */
    double point = (double)(draw >> 11) * (1.0 / 9007199254740992.0) * total;
    uint32_t last = PROTO_MATCH_NONE;
    for (uint32_t i = 0; i < n; i++) {
        const proto_agent_record *r = proto_registry_at(s, i);
        double w = candidate_weight(r, req, n);
        if (w <= 0)
            continue;
        last = r->account;
        if (point < w)
            return r->account;
        point -= w;
    }
    return last; /* rounding left the point at the very end */
}
