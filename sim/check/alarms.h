/* The fee market's detectors: what a chain monitor watching final blocks
 * would flag, recorded as alarms (sim_alarm_record, the `alarms` table).
 *
 *   congestion          SIM_ALARM_CONGESTION_HEIGHTS final heights in a
 *                       row at least SIM_ALARM_FULL_PERCENT full, the base
 *                       fee rising at each; "congestion-cleared" after as
 *                       many heights in a row at or under the gas target.
 *   spam                one origin (the node that brought transactions
 *                       into the network: its clients', or its own) holding
 *                       more than max(SIM_ALARM_SPAM_SHARE_PERCENT, two
 *                       nodes' fair share) of the gas of the last
 *                       SIM_ALARM_SPAM_HEIGHTS final heights while they were
 *                       busy (at least half their gas target used); re-armed
 *                       once its share falls under half the threshold.
 *                       Spammers spread over many accounts, so the sender
 *                       account would not name one; the origin does, as a
 *                       monitor of first-seen relays would.
 *   censorship          a proposer whose last SIM_ALARM_CENSOR_BLOCKS final
 *                       blocks carried at most one transaction each while
 *                       the other proposers' final blocks in the same span
 *                       averaged at least SIM_ALARM_CENSOR_OTHERS_MIN: it
 *                       left out what everyone else was including. Once per
 *                       proposer and episode.
 *
 * The detectors read only final blocks (their fee figures, proposer and
 * transaction ids) and the origin of each transaction, noted when the
 * simulator hands it to a node. Deterministic: no hash table is iterated
 * (origins are looked up and removed by id), counts live in arrays by
 * node index. */
#ifndef AITBC_SIM_ALARMS_H
#define AITBC_SIM_ALARMS_H

#include <stdint.h>

#include "protocol/core/crypto.h"
#include "sim/figures/metrics.h"

#define SIM_ALARM_CONGESTION_HEIGHTS 5
#define SIM_ALARM_FULL_PERCENT 90
#define SIM_ALARM_SPAM_HEIGHTS 10
#define SIM_ALARM_SPAM_SHARE_PERCENT 25
#define SIM_ALARM_CENSOR_BLOCKS 5
#define SIM_ALARM_CENSOR_OTHERS_MIN 10

typedef struct sim_world sim_world;
typedef struct sim_alarms sim_alarms;

sim_alarms *sim_alarms_new(sim_world *w);
void sim_alarms_free(sim_alarms *a);

/* Transaction `id` entered the network at node `origin`, reserving gas. */
void sim_alarms_note_origin(sim_world *w, const proto_hash *id, uint32_t origin, uint64_t gas);

/* A height's block became final for the first time: its fee record, the
 * node of its proposer, its transaction ids (count of them). */
void sim_alarms_on_final(sim_world *w, const sim_fee_record *fees, uint32_t proposer_node,
                         const uint8_t *tx_hashes, uint32_t count);

#endif
