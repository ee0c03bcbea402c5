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
 * not on its own blocklist, and have fewer than 2 x capacity jobs open
 * on chain. With n = agents in the registry and ONE = the registry's
 * trust scale (the reputations sum to ONE),
 *   trust   = reputation + ONE / (4 n): the EigenTrust score plus a
 *             quarter of a uniform share, so a newcomer (trust 0 until
 *             someone who is trusted rates it) can still win work;
 *   quality = (done + 1) / (done + failed + 2): Laplace's rule over the
 *             jobs it settled (failed = rejected or missed deadline), so
 *             a provider whose results are refused fades even before the
 *             next reputation epoch;
 *   room    = 1 - open / (2 x capacity): load spreads across providers;
 *   1/price : cheaper wins, all else equal.
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

/* The weight the rule above gives one provider record's figures (0 when
 * it is not a candidate by load); exposed for tests. */
double proto_match_weight(uint64_t reputation, uint32_t agents, uint64_t done, uint64_t failed,
                          uint32_t open, uint32_t capacity, uint64_t price);

#endif
