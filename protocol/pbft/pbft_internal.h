/* Private to protocol/pbft: the node structure shared by pbft_node.c
 * (entry points, timers, proposal, transactions), pbft_net.c (reaching
 * other nodes, with or without an overlay), pbft_peers.c (reject
 * accounting per sender), pbft_log.c (normal case: pre-prepare, prepare,
 * commit), pbft_chain.c (committing, durable store, recovery, catch-up),
 * pbft_checkpoint.c and pbft_view.c (view change, NEW-VIEW and the
 * computation of O), and the other pbft_*.c files named below. */
#ifndef AITBC_PROTOCOL_PBFT_INTERNAL_H
#define AITBC_PROTOCOL_PBFT_INTERNAL_H

#include "protocol/chain/block.h"
#include "protocol/chain/fee_tracker.h"
#include "protocol/chain/txpool.h"
#include "protocol/pbft/pbft.h"
#include "protocol/pbft/pbft_msg.h"

enum {
    PBFT_TIMER_PROPOSE = 1, /* arg = height to propose */
    PBFT_TIMER_VIEW,        /* no progress in time: start (or escalate) a view change */
    PBFT_TIMER_RESEND,      /* re-send our VIEW-CHANGE while a view change lasts */
    PBFT_TIMER_SYNC,        /* catch-up request unanswered / full node stalled */
};

#define PBFT_SYNC_TIMEOUT_NS (2LL * 1000 * 1000 * 1000)
/* After catching up, transactions that waited at least this many blocks
 * in our pool are sent to the validators again (at most REGOSSIP_MAX). */
#define PBFT_REGOSSIP_AGE_BLOCKS 2
#define PBFT_REGOSSIP_MAX 4096
#define PBFT_FUTURE_MAX 1024   /* buffered messages for views ahead of ours */
#define PBFT_AHEAD_MAX 64      /* PRE-PREPAREs waiting for their parent to commit */
#define PBFT_PENDING_MAX 256   /* decided blocks held above a gap */
#define PBFT_EVIDENCE_MAX 4096 /* evidence kept per node */
/* A peer whose messages this node rejects more than this many times in
 * one second is ignored for PBFT_BAN_NS: garbage floods cost a receiver
 * once per second, not once per message. Honest peers stay far below. */
#define PBFT_REJECTS_PER_S_MAX 50
#define PBFT_BAN_NS (30LL * 1000 * 1000 * 1000)
/* Senders whose rejects are being counted at once (pbft_peers.c). */
#define PBFT_PEER_RECORDS_MAX 1024

/* Reject accounting for one sender (pbft_peers.c). */
typedef struct pbft_peer_record {
    proto_node_id id;
    uint32_t rejects;         /* in the window starting at window_ns */
    int64_t window_ns;        /* start of the current one-second window */
    int64_t ban_until_ns;     /* ignored until then */
} pbft_peer_record;

/* The validator set at one height (pbft_members.c). */
typedef struct pbft_members {
    uint64_t height;          /* UINT64_MAX: unused cache entry */
    uint64_t *powers;         /* [validators_count] */
    proto_pubkey *keys;       /* [validators_count] */
    pbft_quorum quorum;       /* over powers and keys */
} pbft_members;

#define PBFT_MEMBERS_CACHE 8

/* Stake behind one (view, digest) in one phase: kept as votes arrive so
 * quorum checks cost O(distinct digests), not O(votes). */
typedef struct pbft_tally {
    uint64_t view;
    proto_hash digest;
    uint64_t stake;
} pbft_tally;

/* The consensus log entry for one height above the committed height. */
typedef struct pbft_slot {
    uint64_t seq;
    /* The block accepted for (view, seq), by PRE-PREPARE or from O. */
    bool have_block;
    uint64_t view;
    proto_hash digest;
    GBytes *block_wire;       /* block encoding */
    proto_block *block;       /* decoded */
    bool from_newview;        /* assigned by O: prepared without re-validation */
    bool sent_prepare;
    bool sent_commit;
    GArray *prepares;         /* pbft_vote of the current view, any digest */
    GArray *commits;          /* pbft_vote of any view, any digest */
    GArray *prepare_tallies;  /* pbft_tally: stake per (view, digest) of prepares */
    GArray *commit_tallies;   /* pbft_tally: stake per (view, digest) of commits */
    uint64_t *prepare_seen;   /* [validators]: 1 + newest view it prepared in, 0 = none */
    uint64_t *commit_seen;    /* [validators]: 1 + newest view it committed in, 0 = none */
    guint *commit_at;         /* [validators]: index in commits of that vote */
    pbft_cert pcert;          /* prepared certificate of the highest view, if has_pcert */
    bool has_pcert;
    GBytes *pcert_block;      /* the block pcert names */
} pbft_slot;

/* A VIEW-CHANGE held for counting and for assembling a NEW-VIEW. */
typedef struct pbft_vc_entry {
    pbft_viewchange *vc;
    GPtrArray *attachments;   /* GBytes* blocks it carried */
} pbft_vc_entry;

struct pbft_node {
    const pbft_params *p;
    proto_env env;
    proto_node_id self;
    int32_t validator_index;  /* -1 for a full node */
    proto_keypair key;        /* the consensus key this node started with */
    proto_keypair operator_key; /* signs its operator's transactions: the key it was
                                 * created with, whose account operates it */
    bool has_next_key;        /* the operator rotated our key (pbft_valops.c) */
    proto_keypair next_key;   /* signs wherever the chain says it is our key */
    proto_hash genesis_hash;
    proto_node_id *validator_nodes_sorted; /* [validators_count]: params' validator_nodes,
                                            * ascending (pbft_net.c) */

    /* committed chain */
    proto_state *state;       /* after `committed` (plus the tentative block) */
    uint64_t committed;
    uint64_t committed_view;  /* header.slot of block `committed` (genesis: 0): the view
                               * round 0 of committed+1 is in */
    GArray *hashes;           /* proto_hash per committed height, [0] = genesis */
    int64_t last_timestamp_ns;/* of the newest committed non-null block */
    pbft_cert commit_cert;    /* of `committed` (genesis cert at 0) */
    GArray *late_commits;     /* pbft_vote: COMMITs for `committed` after it committed */
    /* Tentative execution of committed+1: validated, not yet final. */
    bool tentative;
    proto_hash tentative_digest;
    proto_undo tentative_undo;

    proto_txpool *mempool;    /* validators only */

    /* Our code cannot run the next block (an upgrade our operator has not
     * installed, protocol/modules/upgrade/upgrade.h): the node has
     * stopped, like a process that exits, and ignores everything. */
    bool halted;

    /* view */
    uint64_t view;
    bool in_view_change;
    uint64_t vc_target;       /* view we sent VIEW-CHANGE for, when in_view_change */
    int64_t timeout_ns;       /* current view timeout (doubles per failed view) */
    bool vc_timer_started;    /* quorum of VIEW-CHANGEs for vc_target seen */
    GBytes *own_vc_wire;
    GBytes *last_nv_wire;     /* NEW-VIEW that made our current view, if any */
    /* Heights at or below this are fixed by the NEW-VIEW that made our
     * view: by a commit certificate or checkpoint (C*, min-s) or by O.
     * The primary proposes none of them and no PRE-PREPARE for one is
     * taken in this view; we get them from O or by catch-up. Without
     * this, a replica behind C* would let the new primary propose a fresh
     * block at a height another replica had already committed. */
    uint64_t view_floor;
    GHashTable *vcs;          /* validator (GUINT_TO_POINTER) -> pbft_vc_entry*, latest view */
    GPtrArray *future;        /* pbft_future*: consensus messages for views above ours */
    GPtrArray *ahead;         /* pbft_ahead*: PRE-PREPAREs above committed+1, oldest
                               * first, at most PBFT_AHEAD_MAX (pbft_log.c) */
    uint64_t ahead_at;        /* committed height when `ahead` was last looked at */
    uint64_t nv_sent_view;    /* last view we sent a NEW-VIEW for (as its leader) */
    int64_t status_sent_ns;   /* last STATUS we sent (rate limit) */

    /* consensus log: height -> pbft_slot* (lookups only, never iterated for decisions) */
    GHashTable *slots;

    /* checkpoints */
    uint64_t stable_seq;
    pbft_cert stable_cert;
    GHashTable *ckpt_votes;   /* seq (GUINT_TO_POINTER-safe u64 key) -> GArray of pbft_vote */
    uint64_t own_ckpt_seq;    /* our latest CHECKPOINT vote */
    GBytes *own_ckpt_wire;

    /* catch-up */
    GHashTable *pending;      /* height -> pbft_decided*: verified blocks above a gap */
    int64_t sync_inflight_until_ns;
    uint64_t sync_target;     /* highest height we know is committed somewhere */
    uint64_t stall_mark;      /* full nodes: committed height at the last stall check */
    bool regossip_pending;    /* we caught up by sync: pass our waiting txs on once level */

    /* pbft_peer_record by ascending id, at most PBFT_PEER_RECORDS_MAX:
     * only senders with recent rejects (pbft_peers.c) */
    GArray *peer_records;
    uint64_t peers_banned;
    uint64_t signs_refused;   /* votes our last-sign state refused (pbft_signguard.c) */

    /* equivocation evidence: "validator/phase/view/seq" -> pbft_evidence* */
    GHashTable *evidence;

    /* validator set per height (pbft_members.c) */
    pbft_members members[PBFT_MEMBERS_CACHE];
    uint32_t members_next;
    pbft_members *members_last; /* the entry returned last (most lookups repeat it) */
    uint32_t update_delay;      /* the chain's, from the genesis bonded set */
    /* stake-weighted primaries of committed+1: its priorities moved on
     * primary_rounds rounds (later views of the height cost one increment
     * each, not one per lookup) */
    bool has_primary_cursor;
    proto_prio_set primary_cursor;
    uint64_t primary_rounds;

    /* when we last sent our own validator operation, per message type
     * (PROTO_TXMSG_UNJAIL, _ROTATE_KEY) */
    uint64_t own_op_sent_height[4];
    /* proto_event (SLASHED, UNJAILED, KEY_ROTATED) of the block being
     * executed; emitted when it commits */
    GArray *effects;
    /* proto_fee_tx_record of the block being executed (exec.h); read when
     * it commits, into the fee tracker and the BLOCK_FINAL event */
    GArray *receipts;
    proto_fee_tracker *fees;  /* committed blocks' fees: the quotes it gives */

    /* timers */
    uint64_t propose_timer;
    uint64_t view_timer;
    uint64_t resend_timer;
    uint64_t sync_timer;
};

/* pbft_node.c */
void pbft_emit(pbft_node *n, proto_event *ev);
bool pbft_is_validator(const pbft_node *n);

/* pbft_net.c: reaching other nodes, with or without an overlay */
void pbft_net_init(pbft_node *n);
void pbft_net_clear(pbft_node *n);
/* A validator runs at node id. */
bool pbft_is_validator_node(const pbft_node *n, proto_node_id id);
/* Unicast to every other validator's node (consensus traffic). */
void pbft_send_validators(pbft_node *n, GBytes *wire);
/* Transactions, validator operations, evidence: to every validator, over
 * the overlay (PROTO_SCOPE_VALIDATORS) if there is one. */
void pbft_broadcast_validators(pbft_node *n, GBytes *wire);
/* A DECIDED block: to every node (PROTO_SCOPE_ALL) over the overlay, else
 * by unicast to every full node. */
void pbft_broadcast_decided(pbft_node *n, GBytes *wire);
/* Whom to ask for blocks, drawn with r: a full node under an overlay picks
 * one of its current peers; otherwise (and while it has none) a validator,
 * never this node itself if skip_self, else possibly (the caller checks).
 * PROTO_NODE_NONE if there is nobody. */
proto_node_id pbft_sync_peer(pbft_node *n, uint64_t r, bool skip_self);

/* pbft_peers.c */
void pbft_peers_init(pbft_node *n);
void pbft_peers_clear(pbft_node *n);
/* Report a rejected message and count it against its sender (a ban past
 * PBFT_REJECTS_PER_S_MAX a second). */
void pbft_reject(pbft_node *n, proto_node_id from, proto_reject_reason reason);
/* The same for a transaction, naming the rule it broke (proto_event.refusal). */
void pbft_reject_tx(pbft_node *n, proto_node_id from, proto_reject_reason reason,
                    const char *refusal);
bool pbft_peer_banned(const pbft_node *n, proto_node_id from);
/* Senders with a reject record now (tests: memory follows what was seen). */
guint pbft_peer_records_count(const pbft_node *n);
/* Arm the propose timer if we are primary(committed+1, view). */
void pbft_maybe_schedule_proposal(pbft_node *n);
/* (Re)arm the view timer: expect the next block by its earliest time plus
 * the current timeout. */
void pbft_arm_view_timer(pbft_node *n);
void pbft_cancel_timer(pbft_node *n, uint64_t *timer);

/* pbft_signguard.c: the last-sign state (double-sign protection) */
/* Whether we may sign a PREPARE or COMMIT for (height, view, digest); if
 * so, the durable record is written before this returns. */
bool pbft_signguard_vote(pbft_node *n, uint8_t phase, uint64_t height, uint64_t view,
                         const proto_hash *digest);
/* The block bytes we proposed for (height, view) before, or NULL. */
GBytes *pbft_signguard_proposal(pbft_node *n, uint64_t height, uint64_t view);
/* Write down our proposal for (height, view) before it goes out. */
void pbft_signguard_record_proposal(pbft_node *n, uint64_t height, uint64_t view,
                                    GBytes *block_wire);
/* Write down the slot's prepared certificate and block (before our COMMIT
 * leaves), and take them back into the log after a restart. */
void pbft_signguard_record_prepared(pbft_node *n, const pbft_slot *s);
void pbft_signguard_restore_prepared(pbft_node *n);

/* pbft_members.c */
void pbft_members_init(pbft_node *n);
void pbft_members_clear(pbft_node *n);
const struct proto_valset *pbft_valset(const pbft_node *n);
uint32_t pbft_update_delay(const pbft_node *n);
/* The set at height h, or NULL if h > committed + update_delay: not fixed
 * yet, so a message about h says we are behind. */
const pbft_members *pbft_members_at(pbft_node *n, uint64_t height);
uint64_t pbft_power_at(pbft_node *n, uint32_t validator, uint64_t height);
/* The key this node signs messages about `height` with. */
const proto_keypair *pbft_signing_key(pbft_node *n, uint64_t height);
bool pbft_self_has_power(pbft_node *n, uint64_t height);
bool pbft_signs_as_chain_key(pbft_node *n, uint64_t height);
/* Check a vote's signature with its validator's key at its height (which
 * must be fixed): NONE, SIGNATURE, or OLD_KEY (valid under the key that
 * validator rotated away from). */
proto_reject_reason pbft_verify_vote(pbft_node *n, const pbft_vote *v);
/* The same for any signed message: signed_by(n, msg, pk) says whether pk
 * signed msg; validator's key at height (which must be fixed) is tried,
 * then, on failure, the key it rotated away from. */
typedef bool (*pbft_signed_by_fn)(pbft_node *n, const void *msg, const proto_pubkey *pk);
proto_reject_reason pbft_check_signer(pbft_node *n, uint32_t validator, uint64_t height,
                                      pbft_signed_by_fn signed_by, const void *msg);

/* pbft_slashing.c: the block extension (pbft_ext.h) */
/* The tip a node suggests before it has seen any (fee_tracker.h). */
#define PBFT_TIP_DEFAULT 1

/* proto_exec_ext_fn for PBFT blocks: downtime, evidence; ctx = node. */
bool pbft_ext_execute(void *ctx, proto_state *s, const proto_block *b, proto_undo *undo);
/* The extension for block `height` proposed now: last commit, and unless
 * minimal, evidence from our pool. */
GBytes *pbft_ext_build(pbft_node *n, uint64_t height, bool minimal);
/* Emit the effects of the block just committed, then forget them. */
void pbft_effects_emit(pbft_node *n, const proto_block *b);

/* pbft_valops.c */
void pbft_valops_init(pbft_node *n);
/* After each commit: (re)send our own operations. */
void pbft_valops_after_commit(pbft_node *n);
/* A transaction from a client (or our own): admitted to our pool and
 * passed to the validators, or rejected with an event. */
void pbft_submit_tx(void *node, GBytes *wire);
/* What blocks execute with on this node (exec.h); empties n->effects,
 * which collects what the block did. */
proto_exec_env pbft_exec_env(pbft_node *n);
/* Can our code run block `height` on our state (committed = height - 1)?
 * If not, halt (pbft_internal.h `halted`), report it once, false. */
bool pbft_code_runs(pbft_node *n, uint64_t height);
void pbft_rotate_key(void *node, const proto_keypair *next);
/* A late COMMIT for our committed height: kept, unverified, until we
 * propose (only a proposer needs it; pbft_late_commits_merge). */
void pbft_collect_late_commit(pbft_node *n, const pbft_vote *v);
/* Just committed with a certificate from a peer: the COMMITs this node
 * already held for the block that the certificate lacks count as late
 * ones (a certificate built from our own votes has them all already). */
void pbft_late_commits_from_slot(pbft_node *n);
/* Verify the late COMMITs held and add them to the commit certificate. */
void pbft_late_commits_merge(pbft_node *n);

/* pbft_log.c */
pbft_slot *pbft_slot_get(pbft_node *n, uint64_t seq, bool create);
/* Record a vote (already verified) in the slot; false if that validator
 * already voted in that phase in that view or a newer one. */
bool pbft_slot_add_vote(pbft_node *n, pbft_slot *s, const pbft_vote *v);
/* Verify a COMMIT certificate, skipping the crypto of every signature
 * equal to a COMMIT vote this node already verified and holds. */
bool pbft_commit_cert_verify(pbft_node *n, const pbft_cert *c, const pbft_members *m);
void pbft_slot_free(gpointer slot);
/* Drop every slot at or below `seq`. */
void pbft_slots_gc(pbft_node *n, uint64_t seq);
/* Reset per-view state of every slot on entering a new view. */
void pbft_slots_new_view(pbft_node *n);
bool pbft_in_window(const pbft_node *n, uint64_t seq);
void pbft_on_preprepare(pbft_node *n, proto_node_id from, GBytes *wire);
void pbft_ahead_init(pbft_node *n);
void pbft_ahead_clear(pbft_node *n);
void pbft_on_vote(pbft_node *n, proto_node_id from, GBytes *wire, uint8_t msg_type);
/* Accept a block for (view, seq) into its slot (from our own proposal, a
 * PRE-PREPARE or O) and vote for it when it can be validated. Takes refs. */
void pbft_slot_assign(pbft_node *n, pbft_slot *s, uint64_t view, GBytes *block_wire,
                      proto_block *block, bool from_newview);
/* Sign and multicast our PREPARE for the slot's block (once per view). */
void pbft_send_prepare(pbft_node *n, pbft_slot *s);
/* Something changed for committed+1 (commit, new view, new block):
 * validate, vote, and commit as far as certificates allow. */
void pbft_advance(pbft_node *n);
/* Revert a tentative execution, if any. */
void pbft_tentative_revert(pbft_node *n);

/* pbft_chain.c */
void pbft_chain_init(pbft_node *n);
void pbft_chain_clear(pbft_node *n);
void pbft_chain_recover(pbft_node *n);
void pbft_store_view(pbft_node *n);
/* Check a block's header against the committed tip (parent, height,
 * timestamp; proposer signature unless it is a null block). */
proto_reject_reason pbft_check_block(pbft_node *n, const proto_block *b, uint64_t view,
                                     bool check_proposer);
/* Commit block committed+1 with its commit certificate. The block must be
 * valid on the committed state (tentative or not yet executed). Returns
 * false if execution fails (the block is then rejected). */
bool pbft_chain_commit(pbft_node *n, GBytes *block_wire, const proto_block *b,
                       const pbft_cert *cert);
proto_block *pbft_decode_block(pbft_node *n, GBytes *wire);
void pbft_null_block(const proto_hash *parent, uint64_t height, uint64_t view, proto_block *out);
bool pbft_is_null_block(const proto_block *b);
/* Catch-up */
void pbft_sync_request(pbft_node *n, proto_node_id peer, uint64_t target_height);
void pbft_sync_on_get_blocks(pbft_node *n, proto_node_id from, GBytes *wire);
void pbft_sync_on_blocks(pbft_node *n, proto_node_id from, GBytes *wire);
void pbft_sync_on_decided(pbft_node *n, proto_node_id from, GBytes *wire);
void pbft_sync_on_timer(pbft_node *n);
/* Full nodes: start the periodic stall check. */
void pbft_sync_start(pbft_node *n);
/* Note that height h is committed somewhere (peer knows it). */
void pbft_sync_learn(pbft_node *n, proto_node_id peer, uint64_t height);

/* pbft_evidence.c (types in pbft_evidence.h) */
struct pbft_evidence;
void pbft_evidence_add(pbft_node *n, const struct pbft_evidence *e, proto_node_id from);
void pbft_on_evidence(pbft_node *n, proto_node_id from, GBytes *wire);
/* After a commit: drop evidence that can no longer be included (its
 * validator is tombstoned, or it is older than evidence_max_age). */
void pbft_evidence_prune(pbft_node *n);
/* Signatures in a certificate (or a block's parent commit signatures)
 * against the votes we hold for that height: conflicts become evidence. */
void pbft_evidence_check_cert(pbft_node *n, const pbft_cert *c);
void pbft_evidence_check_block(pbft_node *n, const proto_block *b);
/* v (signature checked) against the votes its slot already counts. */
void pbft_evidence_check_vote(pbft_node *n, const pbft_slot *s, const pbft_vote *v);
/* A PRE-PREPARE's header h (signature checked), which stands for its
 * proposer's PREPARE, against that proposer's PREPARE in the slot s (may
 * be NULL) and against `held`, the block s holds for that view (NULL:
 * none). */
void pbft_evidence_check_preprepare(pbft_node *n, const pbft_slot *s, const proto_block_header *h,
                                    const proto_block_header *held);

/* pbft_checkpoint.c */
void pbft_checkpoint_init(pbft_node *n);
void pbft_checkpoint_after_commit(pbft_node *n);
void pbft_on_checkpoint(pbft_node *n, proto_node_id from, GBytes *wire);
/* Adopt a verified stable checkpoint certificate. */
void pbft_checkpoint_adopt(pbft_node *n, const pbft_cert *cert, proto_node_id from);
void pbft_checkpoint_clear(pbft_node *n);

/* O: what a new view must re-propose (pbft.h). Entries are (seq, digest,
 * view the digest prepared in) for every seq in (start_seq, max-s];
 * view = UINT64_MAX marks a null block (digest = its hash). */
typedef struct pbft_o_entry {
    uint64_t seq;
    proto_hash digest;
    uint64_t view;
} pbft_o_entry;

typedef struct pbft_o {
    uint64_t start_seq;          /* max(C*, min-s): fixed by a certificate */
    proto_hash start_digest;
    uint64_t committed_seq;      /* C*: the highest commit certificate in V */
    uint32_t committed_from;     /* validator whose VIEW-CHANGE holds C* */
    const pbft_cert *checkpoint; /* the highest checkpoint certificate in V (min-s) */
    GArray *entries;             /* pbft_o_entry, seq ascending; free with g_array_unref */
} pbft_o;

/* pbft_view.c */
/* Compute O from V (VIEW-CHANGEs for new_view, already checked). Pure:
 * every replica gets the same O from the same V. */
void pbft_o_compute(GPtrArray *vcs, uint64_t new_view, pbft_o *o);
void pbft_view_init(pbft_node *n);
void pbft_view_clear(pbft_node *n);
void pbft_view_on_timer(pbft_node *n);
void pbft_view_on_resend(pbft_node *n);
void pbft_on_viewchange(pbft_node *n, proto_node_id from, GBytes *wire);
void pbft_on_newview(pbft_node *n, proto_node_id from, GBytes *wire);
void pbft_on_status(pbft_node *n, proto_node_id from, GBytes *wire);
/* Progress was made: timeouts reset. */
void pbft_view_progress(pbft_node *n);
/* Messages for views above ours wait here until we get there. */
void pbft_future_push(pbft_node *n, proto_node_id from, GBytes *wire);

#endif
