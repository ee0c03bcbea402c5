/* Matching a consumer's job to a provider (agent_match.h has the rule). */
#include "protocol/agents/agent_match.h"

#include <glib.h>

double proto_match_weight(uint64_t reputation, uint32_t agents, uint64_t done, uint64_t failed,
                          uint32_t open, uint32_t capacity, uint64_t price)
{
    g_assert(agents > 0 && price > 0);
    /* On probation (never paid): one job at a time. */
    uint64_t slots = done == 0 ? 1 : 2 * (uint64_t)capacity;
    if (capacity == 0 || open >= slots)
        return 0;
    /* A quarter of a uniform share of the trust: the gate's full mark. */
    double full = (double)PROTO_REGISTRY_TRUST_ONE / (4.0 * agents);
    double trust = MIN(1.0, ((double)reputation + full) / (2.0 * full));
    double quality = ((double)done + 1.0) / ((double)done + (double)failed + 2.0);
    double room = 1.0 - (double)open / (double)slots;
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

/* A newcomer's record against a fresh one's: (quality / (1/2))^2, 1
 * for a fresh newcomer, 4/9 after one failure, 1/4 after two. */
static double record_factor(const proto_agent_record *r)
{
    double quality = 1.0 / ((double)r->jobs_failed + 2.0); /* done = 0 */
    return 4.0 * quality * quality;
}

/* What the newcomers' weights are multiplied by (agent_match.h): their
 * pool is worth the mean proven candidate's weight times min(1, the sum
 * of their record factors). */
static double probation_scale(double proven, uint32_t proven_count, double newcomers,
                              double records)
{
    if (proven_count == 0 || !(newcomers > 0))
        return 1.0;
    return proven / proven_count * MIN(1.0, records) / newcomers;
}

uint32_t proto_match_among(const proto_agent_record *records, uint32_t count,
                           const proto_match_request *req, uint64_t draw)
{
    g_assert(req->capability < 32);
    if (count == 0)
        return PROTO_MATCH_NONE;
    double proven = 0, newcomers = 0, newcomer_records = 0;
    uint32_t proven_count = 0;
    for (uint32_t i = 0; i < count; i++) {
        double w = candidate_weight(&records[i], req, count);
        if (!(w > 0))
            continue;
        if (records[i].jobs_done > 0) {
            proven += w;
            proven_count++;
        } else {
            newcomers += w;
            newcomer_records += record_factor(&records[i]);
        }
    }
    double scale = probation_scale(proven, proven_count, newcomers, newcomer_records);
    double total = proven + newcomers * scale;
    if (!(total > 0))
        return PROTO_MATCH_NONE;
    /* 53 random bits: a uniform point in [0, total). */
    double point = (double)(draw >> 11) * (1.0 / 9007199254740992.0) * total;
    uint32_t last = PROTO_MATCH_NONE;
    for (uint32_t i = 0; i < count; i++) {
        const proto_agent_record *r = &records[i];
        double w = candidate_weight(r, req, count);
        if (r->jobs_done == 0)
            w *= scale;
        if (w <= 0)
            continue;
        last = r->account;
        if (point < w)
            return r->account;
        point -= w;
    }
    return last; /* rounding left the point at the very end */
}

uint32_t proto_match_provider(const proto_state *s, const proto_match_request *req,
                              uint64_t draw)
{
    uint32_t n = 0;
    const proto_agent_record *records = proto_registry_records(s, &n);
    return proto_match_among(records, n, req, draw);
}
