/* The upgrade module: versioned module upgrades with migration, id 10.
 *
 * Every module's rules have a version. A chain starts each at 1; the
 * code a node runs knows up to its module's `version` (module.h). This
 * module keeps the version the chain has reached for each module and the
 * upgrades planned, and applies them (the rules after OpenZeppelin's
 * Initializable and CosmWasm's cw2: a version only goes up, a migration
 * runs once, and a stored version newer than the code refuses the code):
 *
 *   1. Planned. The upgrade authority, a multisig (multisig.h) named at
 *      genesis, executes the operation UPGRADE {module, version, height}
 *      (txmsg_multisig.h) once its owners approved it. Refused unless:
 *      the multisig is the authority (not_authority); the module exists
 *      in this chain with state (unknown_module); the version is above
 *      the chain's and above every plan of that module (not_newer: so an
 *      applied upgrade cannot be planned and migrated again); the height
 *      is after the current block (past_height); fewer than
 *      PROTO_UPGRADE_PLANS_MAX plans wait (too_many_plans).
 *   2. Activated, in the end block of its height (after every other
 *      module's, this module's id being the highest): for each plan due,
 *      in (height, module) order, the module's migrate runs from the
 *      stored version up to the plan's, one step at a time, and the
 *      stored version becomes the plan's. A node whose code does not
 *      run that version (ctx->code_versions below it) cannot: the block
 *      is invalid for it, and it halts there until its operator
 *      installs the code. So does every block after it: begin_block
 *      refuses a state whose stored version of any module is above the
 *      code's (a newer stored version refuses an older binary).
 *
 * Events (event.h, PROTO_EV_UPGRADE): a plan (depth 1) and an
 * activation (depth 2), the module's id in `validator`, the version in
 * `status` (the one it moves from in `prev_status`), the height in
 * `amount`. A consensus node whose code cannot run the next block
 * (proto_upgrade_code_runs) reports depth 3, a halt, the same way, with
 * the version its code lacks, and stops: as a Cosmos node does at an
 * upgrade height, until its operator restarts it with the new code.
 *
 * Invariants, every committed height: stored versions >= 1 for the
 * modules with state; plans in (height, module) order, each above its
 * module's stored version and its earlier plans. Undo: a snapshot of the
 * whole state at the first change in a scope. Attached only by its
 * genesis, so a chain without it keeps its roots and traces. */
#ifndef AITBC_PROTOCOL_MODULES_UPGRADE_H
#define AITBC_PROTOCOL_MODULES_UPGRADE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/module.h"
#include "protocol/core/event.h"

#define PROTO_UPGRADE_MODULE_ID 10

extern const proto_module proto_upgrade_module;

/* Plans waiting at once. */
#define PROTO_UPGRADE_PLANS_MAX 16u

typedef struct proto_upgrade_plan {
    uint32_t module;  /* its id */
    uint32_t version; /* the version it moves to */
    uint64_t height;  /* the block whose end block activates it */
} proto_upgrade_plan;

/* Why the module refused an UPGRADE operation (the multisig module
 * reports these as its own refusal, multisig.h). */
typedef enum proto_upgrade_result {
    PROTO_UPGRADE_OK = 0,
    PROTO_UPGRADE_NO_STATE,        /* the chain has no upgrade module */
    PROTO_UPGRADE_NOT_AUTHORITY,   /* the multisig is not the upgrade authority */
    PROTO_UPGRADE_UNKNOWN_MODULE,  /* no module of that id with state in this chain */
    PROTO_UPGRADE_NOT_NEWER,       /* not above the stored version and every plan */
    PROTO_UPGRADE_PAST_HEIGHT,     /* at or before the current block */
    PROTO_UPGRADE_TOO_MANY_PLANS,  /* PROTO_UPGRADE_PLANS_MAX wait */
    PROTO_UPGRADE_RESULT_COUNT
} proto_upgrade_result;

const char *proto_upgrade_result_name(proto_upgrade_result r);

/* Attach the module (genesis, after the modules it versions and the
 * multisig module when authority > 0): every module with state at
 * version 1; authority the multisig id that may plan (0: nobody). */
void proto_upgrade_genesis(proto_state *s, uint32_t authority);

/* The multisig module, executing UPGRADE from multisig `multisig`: may
 * the plan be made now (ctx->height the current block)? Make it. */
proto_upgrade_result proto_upgrade_check_plan(const proto_state *s, const proto_msg_ctx *ctx,
                                              uint32_t multisig, const proto_upgrade_plan *p);
void proto_upgrade_add_plan(proto_state *s, const proto_msg_ctx *ctx, const proto_upgrade_plan *p);

/* ---- readers (the module absent: 0, false) ---- */

bool proto_upgrade_active(const proto_state *s);
uint32_t proto_upgrade_authority(const proto_state *s);
/* The version the chain has reached for module id (1 for a module with
 * state in a chain without this module; 0 for none). */
uint32_t proto_upgrade_version(const proto_state *s, uint32_t module);
uint32_t proto_upgrade_plans_count(const proto_state *s);
const proto_upgrade_plan *proto_upgrade_plan_at(const proto_state *s, uint32_t k);
/* The version of module id a node runs under ctx (its module's
 * `version` when ctx->code_versions is NULL; at least 1). */
uint32_t proto_upgrade_code_version(const proto_state *s, const proto_msg_ctx *ctx,
                                    uint32_t module);

/* Can a node whose code runs code_versions (NULL: the build's own, as in
 * proto_msg_ctx) execute block `height` on s, its parent's state? Not
 * when s holds a module at a version above the code's, nor when a plan
 * due by that block moves one above it. Then *module_out and
 * *version_out (may be NULL) name the first such module and the version
 * it needs. Always true without the module. Consensus asks before it
 * executes a block: a false is no fault of the block's, the node must
 * halt (above), not judge the block invalid. */
bool proto_upgrade_code_runs(const proto_state *s, uint64_t height,
                             const uint32_t *code_versions, uint32_t *module_out,
                             uint32_t *version_out);

/* Depth of a PROTO_EV_UPGRADE event. */
#define PROTO_UPGRADE_EV_PLANNED 1u
#define PROTO_UPGRADE_EV_ACTIVATED 2u
#define PROTO_UPGRADE_EV_HALTED 3u

/* The halt a consensus node reports before block `height`, for want of
 * `version` of `module` (what proto_upgrade_code_runs named). */
proto_event proto_upgrade_halt_event(uint64_t height, uint32_t module, uint32_t version);

#endif
