/* Matching: how a consumer picks a provider for a job (agent.h).
 *
 * The mechanism (one of the two the job market could use; the other is
 * providers bidding on a posted job): the consumer reads the registry
 * from its host's committed state and draws one provider at random with
 * probability proportional to
 *
 *     weight = trust x quality^2 x room / price
 *
 * over the candidates: providers that are ACTIVE, registered the
 * capability, ask at most max_price, are not the consumer itself, are
 * not on its own blocklist, and have room for one more job (below). With
 * n = agents in the registry, ONE = the registry's trust scale (the
 * reputations sum to ONE) and F = ONE / (4 n), a quarter of a uniform
 * share,
 *   trust   = min(1, (reputation + F) / (2 F)): the EigenTrust score as
 *             a gate, not a volume. A newcomer (score 0 until someone
 *             trusted rates it) or a provider only untrusted raters vouch
 *             for counts 1/2; one whose score reached F counts fully,
 *             and more trust buys no more work. EigenTrust's score grows
 *             with the jobs a provider did, so weighting by it would let
 *             early luck compound (a Polya urn: in a 10-minute market of
 *             80 providers the busiest did 160 jobs and four did none);
 *   quality = (done + 1) / (done + failed + 2): Laplace's rule over the
 *             jobs it settled (failed = rejected or missed deadline), so
 *             a provider whose results are refused fades even before the
 *             next reputation epoch;
 *   room    = 1 - open / (2 x capacity): load spreads across providers;
 *   1/price : cheaper wins, all else equal.
 *
 * Probation: newcomers compete as one average provider. A provider
 * that has never been paid for a job (done = 0) is a newcomer: it is
 * offered one job at a time (room = 1 with none open, else 0), and the
 * newcomers among the candidates form one pool. With k > 0 proven
 * candidates of total weight P, the pool is worth
 *
 *     P / k x min(1, sum over the newcomers of 4 q^2)
 *
 * (q their Laplace quality: 4 q^2 is 1 for a fresh newcomer, 4/9 after
 * one miss, 1/4 after two), split among them by their own weights. So a
 * lone fresh newcomer draws like the average proven provider until its
 * first payment, and fades with each miss, while a bonded swarm of N
 * fresh identities shares one provider's work whatever N is: without
 * the pool it would win N newcomers' worth until the market learned,
 * for the price of N bonds. The price is that honest newcomers arriving
 * with a swarm share that one provider's work with it. Before anyone has
 * been paid (a new market) everyone is a newcomer and nothing is
 * scaled. What probation does not stop is a swarm that pays itself out
 * of it (its own consumers confirming its own jobs): then the trust gate
 * holds it at half weight as long as no trusted consumer vouches for
 * it, since EigenTrust counts feedback only as far as the rater is
 * trusted.
 *
 * A random draw rather than the best score keeps new providers in play
 * and stops every consumer from piling onto the same one between two
 * blocks. Doubles are used (the choice is the consumer's, not the
 * chain's: nothing here reaches a root); every operation is IEEE-754 and
 * the order of the sum is the registry's account order, so the draw is
 * the same on every machine. */
#ifndef AITBC_PROTOCOL_AGENT_MATCH_H
#define AITBC_PROTOCOL_AGENT_MATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/state.h"
#include "protocol/modules/registry/registry.h"

#define PROTO_MATCH_NONE UINT32_MAX

typedef struct proto_match_request {
    uint32_t consumer;        /* its own account: never matched with itself */
    uint32_t capability;      /* bit index */
    uint64_t max_price;       /* per reference second */
    const uint32_t *blocked;  /* accounts the consumer will not use (sorted), or NULL */
    uint32_t blocked_count;
} proto_match_request;

/* The provider drawn with `draw` (uniform u64), or PROTO_MATCH_NONE when
 * there is no candidate. Reads s's registry; NULL registry: none. */
uint32_t proto_match_provider(const proto_state *s, const proto_match_request *req,
                              uint64_t draw);

/* The same draw over `count` records sorted by account (the registry's
 * order), for tests and for callers holding a copy. */
uint32_t proto_match_among(const proto_agent_record *records, uint32_t count,
                           const proto_match_request *req, uint64_t draw);

/* The weight the rule above gives one provider record's figures before
 * the probation cap (0 when it has no room; agents: records in the
 * registry); exposed for tests. */
double proto_match_weight(uint64_t reputation, uint32_t agents, uint64_t done, uint64_t failed,
                          uint32_t open, uint32_t capacity, uint64_t price);

#endif
