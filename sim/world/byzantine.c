/* Byzantine behaviours as wrappers around a node's sends (see byzantine.h).
 *
 * Every message a Byzantine node sends passes through sim_byz_send, which
 * applies the behaviours active at the current virtual time, in a fixed
 * order: withhold (may drop), invalid-signature (corrupts), equivocate /
 * double-sign (adds a validly signed conflicting variant), replay (adds an
 * old message), then delay (holds everything back). Variants of one
 * broadcast are built once and cached, so every destination of the
 * "other half" sees the same conflicting message, as a real equivocator
 * would send.
 *
 * In mesh topology the wrapper sits under the node's p2p node: consensus
 * messages leave as they are, broadcasts (transactions, decided blocks,
 * PoA blocks, evidence) leave in gossip envelopes, and the mesh adds its
 * own pings and handshakes. Behaviours act on the message inside an
 * envelope and re-wrap the result in the same scope, so a withheld,
 * corrupted or conflicting block is that whether it is sent or relayed;
 * mesh control traffic passes through every behaviour untouched but
 * delay, brings no replay with it and is never replayed. */
#include "sim/world/byzantine.h"

#include <string.h>

#include "protocol/chain/exec.h"
#include "protocol/core/msgtype.h"
#include "protocol/p2p/p2p_msg.h"
#include "protocol/pbft/pbft_msg.h"
#include "protocol/poa/poa.h"
#include "protocol/poa/poa_msg.h"
#include "sim/engine/rng.h"

#define BYZ_REPLAY_RING 256
#define BYZ_FLOOD_PEERS_MAX 1024
#define BYZ_GARBAGE_MAX 200

typedef enum byz_kind {
    BYZ_EQUIVOCATE,
    BYZ_DOUBLE_SIGN,
    BYZ_WITHHOLD,
    BYZ_INVALID_SIGNATURE,
    BYZ_REPLAY,
    BYZ_DELAY,
    BYZ_FLOOD,
} byz_kind;

typedef struct byz_behaviour {
    byz_kind kind;
    int64_t at_ns;
    int64_t until_ns;       /* -1: to the end */
    int64_t delay_ns;
    double rate_per_s;
} byz_behaviour;

typedef struct byz_delayed {
    sim_byz *owner;
    uint32_t to;
    GBytes *wire;
} byz_delayed;

/* What sim_byz_fire is called for. */
enum { BYZ_FIRE_DELAYED = 0, BYZ_FIRE_FLOOD = 1 };

struct sim_byz {
    sim_byz_host host;
    sim_byz_config cfg;
    uint32_t node;
    sim_rng rng;
    GArray *behaviours;     /* byz_behaviour */
    GBytes *ring[BYZ_REPLAY_RING];
    uint32_t ring_next;
    uint32_t ring_count;
    GBytes *variant_of;     /* the last message a conflicting variant was made for */
    GBytes *variant;        /* NULL if none could be made */
    GQueue delayed;         /* byz_delayed*, in flight */
    uint64_t variants_sent;
};

sim_byz *sim_byz_new(const sim_byz_host *host, const sim_byz_config *cfg)
{
    sim_byz *b = g_new0(sim_byz, 1);
    b->host = *host;
    b->cfg = *cfg;
    b->cfg.node_name = NULL; /* borrowed for the stream's name only */
    b->node = cfg->node;
    char *stream = g_strdup_printf("byzantine/%s", cfg->node_name);
    sim_rng_init(&b->rng, cfg->seed, stream);
    g_free(stream);
    b->behaviours = g_array_new(FALSE, FALSE, sizeof(byz_behaviour));
    g_queue_init(&b->delayed);
    return b;
}

static void delayed_free(gpointer p)
{
    byz_delayed *d = p;
    g_bytes_unref(d->wire);
    g_free(d);
}

void sim_byz_free(sim_byz *b)
{
    if (b == NULL)
        return;
    for (uint32_t i = 0; i < BYZ_REPLAY_RING; i++) {
        if (b->ring[i] != NULL)
            g_bytes_unref(b->ring[i]);
    }
    if (b->variant_of != NULL)
        g_bytes_unref(b->variant_of);
    if (b->variant != NULL)
        g_bytes_unref(b->variant);
    g_queue_clear_full(&b->delayed, delayed_free);
    g_array_unref(b->behaviours);
    g_free(b);
}

uint64_t sim_byz_variants_sent(const sim_byz *b)
{
    return b->variants_sent;
}

static int64_t now_ns(const sim_byz *b)
{
    return b->host.now_ns(b->host.ctx);
}

static bool active(const sim_byz *b, byz_kind kind, int64_t *delay_ns)
{
    int64_t now = now_ns(b);
    for (guint i = 0; i < b->behaviours->len; i++) {
        const byz_behaviour *x = &g_array_index(b->behaviours, byz_behaviour, i);
        if (x->kind == kind && now >= x->at_ns && (x->until_ns < 0 || now < x->until_ns)) {
            if (delay_ns != NULL)
                *delay_ns = x->delay_ns;
            return true;
        }
    }
    return false;
}

bool sim_byz_active_now(const sim_byz *b)
{
    int64_t now = now_ns(b);
    for (guint i = 0; i < b->behaviours->len; i++) {
        const byz_behaviour *x = &g_array_index(b->behaviours, byz_behaviour, i);
        if (now >= x->at_ns && (x->until_ns < 0 || now < x->until_ns))
            return true;
    }
    return false;
}

/* ---- building variants ---- */

static const proto_keypair *own_key(const sim_byz *b)
{
    return b->cfg.key;
}

/* The block inside a PRE-PREPARE, decoded (NULL if malformed). */
static proto_block *preprepare_block(GBytes *wire, uint64_t *view)
{
    GBytes *body = NULL;
    if (!pbft_msg_preprepare_decode(wire, view, &body))
        return NULL;
    gsize size = 0;
    const void *data = g_bytes_get_data(body, &size);
    proto_block *blk = proto_block_decode_all(data, size, UINT32_MAX);
    g_bytes_unref(body);
    return blk;
}

/* Conflicting PRE-PREPARE: the same block one nanosecond earlier,
 * re-signed, so it is valid and has another digest. */
static GBytes *conflicting_preprepare(sim_byz *b, GBytes *wire)
{
    uint64_t view = 0;
    proto_block *blk = preprepare_block(wire, &view);
    if (blk == NULL)
        return NULL;
    blk->header.timestamp_ns -= 1;
    proto_block_sign(blk, b->cfg.chain_id, b->cfg.crypto, own_key(b));
    GBytes *out = pbft_msg_preprepare_encode(view, blk);
    proto_block_free(blk);
    return out;
}

/* Conflicting PREPARE or COMMIT: the same vote for another digest. */
static GBytes *conflicting_vote(sim_byz *b, GBytes *wire, uint8_t type)
{
    pbft_vote v;
    if (!pbft_msg_vote_decode(wire, &v))
        return NULL;
    uint8_t buf[PROTO_HASH_SIZE + 10];
    memcpy(buf, "equivocate", 10);
    memcpy(buf + 10, v.digest.bytes, PROTO_HASH_SIZE);
    proto_hash_bytes(&v.digest, buf, sizeof buf);
    pbft_vote_sign(&v, b->cfg.chain_id, b->cfg.crypto, own_key(b));
    return pbft_msg_vote_encode(type, &v);
}

/* An empty block on the parent state s, as honest execution makes it
 * (the base fee moves even in an empty block, so its root is computed,
 * not copied): the header's other fields stay blk's. */
static bool seal_empty_on(sim_byz *b, const proto_state *parent, proto_block *blk)
{
    proto_state *s = proto_state_copy(parent);
    proto_txpool *none = proto_exec_txpool_new(1);
    proto_undo undo;
    proto_undo_init(&undo);
    proto_exec_env env = {.rules = b->cfg.rules, .crypto = b->cfg.crypto};
    g_array_set_size(blk->txs, 0);
    bool ok = proto_exec_build(s, none, 0, &env, blk, &undo);
    proto_undo_clear(&undo);
    proto_txpool_free(none);
    proto_state_free(s);
    return ok;
}

/* Conflicting PoA block: an empty block for the same slot on the same
 * parent, re-signed: valid, and another block for the slot. It is
 * executed on the node's own head state, which is the parent's while the
 * node sends the block it just built on it (checked by root). */
static GBytes *conflicting_poa_block(sim_byz *b, GBytes *wire)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    if (size < 2 || b->cfg.protocol != SIM_CONSENSUS_POA)
        return NULL;
    proto_block *blk = proto_block_decode_all(data + 1, size - 1, UINT32_MAX);
    if (blk == NULL)
        return NULL;
    const proto_state *head = b->host.poa_head(b->host.ctx);
    proto_hash parent_root, head_root;
    proto_state_root((proto_state *)head, &head_root); /* the cache only (state.h) */
    GBytes *out = NULL;
    if (blk->txs->len > 0 &&
        b->host.block_state_root(b->host.ctx, &blk->header.parent, &parent_root) &&
        proto_hash_equal(&parent_root, &head_root) && seal_empty_on(b, head, blk)) {
        proto_block_sign(blk, b->cfg.chain_id, b->cfg.crypto, own_key(b));
        out = poa_msg_block_encode(blk);
    }
    proto_block_free(blk);
    return out;
}

/* Cached by content: in mesh topology each send opens its own copy of
 * the envelope's message. */
static GBytes *variant_for(sim_byz *b, GBytes *wire)
{
    if (b->variant_of != NULL && g_bytes_equal(b->variant_of, wire))
        return b->variant;
    if (b->variant_of != NULL)
        g_bytes_unref(b->variant_of);
    if (b->variant != NULL)
        g_bytes_unref(b->variant);
    b->variant_of = g_bytes_ref(wire);
    b->variant = NULL;
    if (own_key(b) == NULL)
        return NULL;
    uint8_t type = pbft_msg_type(wire);
    if (type == PROTO_MSG_PBFT_PREPREPARE)
        b->variant = conflicting_preprepare(b, wire);
    else if (type == PROTO_MSG_PBFT_PREPARE || type == PROTO_MSG_PBFT_COMMIT)
        b->variant = conflicting_vote(b, wire, type);
    else if (type == PROTO_MSG_BLOCK)
        b->variant = conflicting_poa_block(b, wire);
    return b->variant;
}

/* The same message with one signature bit flipped (NULL: nothing signed
 * by this node in it). */
static GBytes *corrupt_signature(GBytes *wire)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    uint8_t type = size > 0 ? data[0] : 0;
    switch (type) {
    case PROTO_MSG_PBFT_PREPARE:
    case PROTO_MSG_PBFT_COMMIT:
    case PROTO_MSG_PBFT_CHECKPOINT: {
        pbft_vote v;
        if (!pbft_msg_vote_decode(wire, &v))
            return NULL;
        v.sig.bytes[7] ^= 0x10;
        return pbft_msg_vote_encode(type, &v);
    }
    case PROTO_MSG_PBFT_PREPREPARE: {
        uint64_t view = 0;
        proto_block *blk = preprepare_block(wire, &view);
        if (blk == NULL)
            return NULL;
        blk->header.sig.bytes[7] ^= 0x10;
        GBytes *out = pbft_msg_preprepare_encode(view, blk);
        proto_block_free(blk);
        return out;
    }
    case PROTO_MSG_BLOCK: {
        proto_block *blk = proto_block_decode_all(data + 1, size - 1, UINT32_MAX);
        if (blk == NULL)
            return NULL;
        blk->header.sig.bytes[7] ^= 0x10;
        GBytes *out = poa_msg_block_encode(blk);
        proto_block_free(blk);
        return out;
    }
    case PROTO_MSG_PBFT_VIEWCHANGE:
    case PROTO_MSG_PBFT_NEWVIEW: {
        /* type | u32 length | signed part | sig 64 | ... */
        if (size < 5)
            return NULL;
        size_t at = 5 + (size_t)proto_le_get_u32(data + 1);
        if (at + PROTO_SIG_SIZE > size)
            return NULL;
        uint8_t *buf = g_memdup2(data, size);
        buf[at + 7] ^= 0x10;
        return g_bytes_new_take(buf, size);
    }
    default:
        return NULL;
    }
}

/* ---- sending ---- */

static void out(sim_byz *b, uint32_t to, GBytes *wire);

static void net_send(sim_byz *b, uint32_t to, GBytes *wire)
{
    b->host.send(b->host.ctx, to, wire);
}

static void delayed_fire(sim_byz *b, byz_delayed *d)
{
    g_queue_remove(&b->delayed, d);
    if (b->host.up(b->host.ctx))
        net_send(b, d->to, d->wire);
    delayed_free(d);
}

static void out(sim_byz *b, uint32_t to, GBytes *wire)
{
    int64_t delay_ns = 0;
    if (active(b, BYZ_DELAY, &delay_ns) && delay_ns > 0) {
        byz_delayed *d = g_new0(byz_delayed, 1);
        d->owner = b;
        d->to = to;
        d->wire = g_bytes_ref(wire);
        g_queue_push_tail(&b->delayed, d);
        b->host.at(b->host.ctx, now_ns(b) + delay_ns, b, BYZ_FIRE_DELAYED,
                   (uint64_t)(uintptr_t)d);
        return;
    }
    net_send(b, to, wire);
}

static void ring_push(sim_byz *b, GBytes *wire)
{
    GBytes **slot = &b->ring[b->ring_next];
    if (*slot != NULL)
        g_bytes_unref(*slot);
    *slot = g_bytes_ref(wire);
    b->ring_next = (b->ring_next + 1) % BYZ_REPLAY_RING;
    if (b->ring_count < BYZ_REPLAY_RING)
        b->ring_count++;
}

static GBytes *ring_pick(sim_byz *b)
{
    if (b->ring_count == 0)
        return NULL;
    return b->ring[sim_rng_below(&b->rng, b->ring_count)];
}

/* `payload` as it leaves: inside an envelope of `scope` again when the
 * message came in one (new reference). */
static GBytes *byz_rewrap(bool wrapped, proto_scope scope, GBytes *payload)
{
    return wrapped ? p2p_gossip_encode(scope, payload) : g_bytes_ref(payload);
}

void sim_byz_send(sim_byz *b, uint32_t to, GBytes *wire)
{
    /* In mesh topology broadcasts leave in gossip envelopes: behaviours
     * act on the message inside and the result leaves in an envelope. */
    proto_scope scope = PROTO_SCOPE_ALL;
    GBytes *inner = p2p_gossip_open(wire, &scope);
    bool wrapped = inner != NULL;
    GBytes *payload = wrapped ? inner : wire;
    uint8_t type = pbft_msg_type(payload);
    if (active(b, BYZ_WITHHOLD, NULL) &&
        (type == PROTO_MSG_PBFT_PREPARE || type == PROTO_MSG_PBFT_COMMIT ||
         type == PROTO_MSG_PBFT_CHECKPOINT || type == PROTO_MSG_BLOCK)) {
        if (inner != NULL)
            g_bytes_unref(inner);
        return;
    }
    GBytes *msg = g_bytes_ref(wire);
    if (active(b, BYZ_INVALID_SIGNATURE, NULL)) {
        GBytes *bad = corrupt_signature(payload);
        if (bad != NULL) {
            g_bytes_unref(msg);
            msg = byz_rewrap(wrapped, scope, bad);
            g_bytes_unref(bad);
        }
    }
    bool equivocate = active(b, BYZ_EQUIVOCATE, NULL);
    bool double_sign = active(b, BYZ_DOUBLE_SIGN, NULL);
    GBytes *variant = equivocate || double_sign ? variant_for(b, payload) : NULL;
    variant = variant != NULL ? byz_rewrap(wrapped, scope, variant) : NULL;
    if (variant != NULL && equivocate && !double_sign && to % 2 == 1) {
        out(b, to, variant); /* this half sees only the conflicting version */
        b->variants_sent++;
    } else {
        out(b, to, msg);
        if (variant != NULL && double_sign) {
            out(b, to, variant);
            b->variants_sent++;
        }
    }
    /* Replays go with what the node says, and are made of it: not the
     * mesh's own pings and handshakes. */
    gsize wire_size = 0;
    const uint8_t *wire_data = g_bytes_get_data(wire, &wire_size);
    bool control = wire_size > 0 && p2p_msg_is_control_type(wire_data[0]);
    if (!control && active(b, BYZ_REPLAY, NULL)) {
        GBytes *old = ring_pick(b);
        if (old != NULL)
            out(b, to, old);
    }
    if (!control)
        ring_push(b, msg); /* material for replays and floods */
    g_bytes_unref(msg);
    if (variant != NULL)
        g_bytes_unref(variant);
    if (inner != NULL)
        g_bytes_unref(inner);
}

/* ---- flooding ---- */

/* A flood target: in mesh topology one of the node's peers (a flooder
 * reaches only the nodes that accepted it), or a random node while it has
 * none; in direct topology any random other node. */
static uint32_t flood_target(sim_byz *b)
{
    if (b->host.peers != NULL) {
        proto_node_id peers[BYZ_FLOOD_PEERS_MAX];
        uint32_t n = b->host.peers(b->host.ctx, peers, BYZ_FLOOD_PEERS_MAX);
        if (n > 0)
            return peers[sim_rng_below(&b->rng, n)];
    }
    uint32_t to = (uint32_t)sim_rng_below(&b->rng, b->cfg.nodes_count - 1);
    return to >= b->node ? to + 1 : to;
}

static void flood_event(sim_byz *b, uint64_t index)
{
    const byz_behaviour *x = &g_array_index(b->behaviours, byz_behaviour, index);
    int64_t now = now_ns(b);
    if (x->until_ns >= 0 && now >= x->until_ns)
        return;
    if (b->host.up(b->host.ctx) && b->cfg.nodes_count > 1) {
        uint32_t to = flood_target(b);
        GBytes *old = sim_rng_below(&b->rng, 2) == 0 ? ring_pick(b) : NULL;
        if (old != NULL) {
            net_send(b, to, old);
        } else {
            uint32_t len = 1 + (uint32_t)sim_rng_below(&b->rng, BYZ_GARBAGE_MAX);
            uint8_t *buf = g_malloc(len);
            for (uint32_t i = 0; i < len; i++)
                buf[i] = (uint8_t)sim_rng_u64(&b->rng);
            GBytes *garbage = g_bytes_new_take(buf, len);
            net_send(b, to, garbage);
            g_bytes_unref(garbage);
        }
    }
    double gap_s = sim_rng_exponential(&b->rng, 1.0 / x->rate_per_s);
    b->host.at(b->host.ctx, now + (int64_t)(gap_s * 1e9) + 1, b, BYZ_FIRE_FLOOD, index);
}

void sim_byz_fire(sim_byz *b, uint32_t what, uint64_t arg)
{
    if (what == BYZ_FIRE_DELAYED)
        delayed_fire(b, (byz_delayed *)(uintptr_t)arg);
    else
        flood_event(b, arg);
}

void sim_byz_add(sim_byz *b, const sim_fault *f)
{
    static const struct {
        const char *name;
        byz_kind kind;
    } kinds[] = {
        {"equivocate", BYZ_EQUIVOCATE},   {"double-sign", BYZ_DOUBLE_SIGN},
        {"withhold", BYZ_WITHHOLD},       {"invalid-signature", BYZ_INVALID_SIGNATURE},
        {"replay", BYZ_REPLAY},           {"delay", BYZ_DELAY},
        {"flood", BYZ_FLOOD},
    };
    g_assert(f->action == SIM_FAULT_BYZANTINE && f->behavior != NULL);
    byz_behaviour x = {.at_ns = f->at_ns,
                       .until_ns = f->until_ns,
                       .delay_ns = f->behavior_delay_ns,
                       .rate_per_s = f->behavior_rate_per_s};
    bool known = false;
    for (size_t i = 0; i < G_N_ELEMENTS(kinds) && !known; i++) {
        if (g_str_equal(f->behavior, kinds[i].name)) {
            x.kind = kinds[i].kind;
            known = true;
        }
    }
    g_assert(known); /* the scenario loader validated the keyword */
    g_array_append_val(b->behaviours, x);
    if (x.kind == BYZ_FLOOD && x.rate_per_s > 0)
        b->host.at(b->host.ctx, f->at_ns, b, BYZ_FIRE_FLOOD, b->behaviours->len - 1);
}
