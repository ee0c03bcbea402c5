/* Gossip envelopes as the simulator's observers see them.
 *
 * A mesh node's broadcast travels as [PROTO_MSG_P2P_GOSSIP][scope][inner
 * message] (protocol/p2p/p2p.h). Byzantine wrappers (sim/world/byzantine.c)
 * tamper with the message inside, and the accountability checker
 * (sim/check/accountability.c) reads it; both open and close envelopes here. An
 * envelope is only ever opened, never trusted: a short or empty one is
 * "not an envelope". */
#ifndef AITBC_SIM_GOSSIP_ENVELOPE_H
#define AITBC_SIM_GOSSIP_ENVELOPE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* The message inside a gossip envelope (a new reference sharing wire's
 * bytes) and its scope byte, or NULL if wire is not a gossip envelope
 * with a non-empty message. */
GBytes *sim_gossip_open(GBytes *wire, uint8_t *scope);
/* A new envelope of `scope` around `inner`. */
GBytes *sim_gossip_wrap(uint8_t scope, GBytes *inner);
/* P2P membership and health traffic (HELLO, GOODBYE, PING, PONG,
 * GET_PEERS, PEERS, IHAVE, IWANT): the mesh's own, carrying no consensus
 * or client message. */
bool sim_gossip_is_control(GBytes *wire);

#endif
