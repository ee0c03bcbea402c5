/* A fake chain for the disputes module's tests (test_disputes*.c): the
 * jobs tests' market (market_world.h: providers 0 and 1, consumers 2
 * and 3) with the disputes module attached by its genesis, juror 4 a
 * verifier and jurors 5, 6 and 7 arbiters, DSW_STAKE each, and short
 * periods (dsw_params). Helpers drive a job to a delivered result and
 * a dispute through its phases; every message goes through the router
 * as if in a transaction from its sender. */
#ifndef AITBC_TEST_DISPUTES_WORLD_H
#define AITBC_TEST_DISPUTES_WORLD_H

#include "protocol/modules/disputes/disputes.h"
#include "support/market_world.h"

#define DSW_MS 1000000LL
#define DSW_PAY 1000u
#define DSW_FEE 20u   /* the market fee: 2% of DSW_PAY */
#define DSW_BOND 300u
#define DSW_STAKE 1000u
#define DSW_VERIFIER 4u
#define DSW_ARBITERS_FIRST 5u /* 5, 6, 7 */

/* bond 300, fee 50%, 2 ms to respond, 1 verifier with 2 ms, panel 3 up
 * to 7, 2 ms commit and reveal, 2 ms to appeal, seat fee 10, 100 at risk
 * per seat. */
proto_disputes_params dsw_params(void);
/* The market and the module with p (dsw_params when NULL). */
void dsw_init(market_world *w, const proto_disputes_params *p);
/* The market and the module with p and jurors[count] instead. */
void dsw_init_jurors(market_world *w, const proto_disputes_params *p, uint32_t count,
                    const proto_disputes_genesis_juror *jurors);

/* Consumer 2's job seq to provider 0, accepted and delivered. */
uint64_t dsw_delivered(market_world *w, uint32_t seq);
/* That, then rejected by consumer 2: the dispute is open. */
uint64_t dsw_disputed(market_world *w, uint32_t seq);
/* That, then defended by provider 0: tier 1 is drawn. */
uint64_t dsw_defended(market_world *w, uint32_t seq);

/* Messages. */
proto_txmsg dsw_defend(uint64_t job);
proto_txmsg dsw_verdict(uint64_t job, uint8_t ruling);
/* A commit of ruling with salt byte `salt` by `arbiter` (the commitment
 * computed on the world's chain), and its reveal. */
proto_txmsg dsw_commit(uint64_t job, uint8_t round, uint32_t arbiter, uint8_t ruling,
                      uint8_t salt);
proto_txmsg dsw_reveal(uint64_t job, uint8_t round, uint8_t ruling, uint8_t salt);
proto_txmsg dsw_appeal(uint64_t job, uint8_t round);

/* The seats juror holds in round `round` of job's dispute (0: none). */
uint32_t dsw_seats(const market_world *w, uint64_t job, uint32_t round, uint32_t juror);
/* Every drawn arbiter of the current panel round commits and reveals
 * rulings[juror - DSW_ARBITERS_FIRST] (0: stays silent), with the blocks
 * and end blocks between, until the round is tallied. */
void dsw_panel_votes(market_world *w, uint64_t job, uint8_t round, const uint8_t rulings[3]);
/* Send m from sender, asserting it is accepted. */
void dsw_ok(market_world *w, uint32_t sender, const proto_txmsg *m);
/* Next block dt_ns later and its end block. */
void dsw_block(market_world *w, int64_t dt_ns);
/* The dispute (asserted to exist). */
const proto_dispute *dsw_get(const market_world *w, uint64_t job);
/* The stake of juror (asserted). */
uint64_t dsw_stake(const market_world *w, uint32_t juror);

#endif
