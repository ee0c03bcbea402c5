/* The chain's registered modules (protocol/chain/module.h): the set every
 * state made with proto_state_new uses, the same for PoA and PBFT (PoA
 * simply attaches no validator set). */
#ifndef AITBC_PROTOCOL_MODULES_H
#define AITBC_PROTOCOL_MODULES_H

#include "protocol/chain/module.h"

const proto_module_set *proto_modules_default(void);

#endif
