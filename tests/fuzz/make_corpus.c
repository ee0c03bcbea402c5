/* Writes the seed corpora of the fuzz harnesses with the real encoders:
 *   make_corpus DIR
 * fills DIR/pbft_msg, DIR/p2p_msg, DIR/poa_msg, DIR/chain and DIR/txenv with a few
 * valid messages each (every message kind a harness dispatches on, small
 * and large counts), so fuzzing starts from inputs that get past the
 * type byte and the lengths. The output is deterministic (fixed keys, a
 * real-signature crypto context) and committed as tests/fuzz/corpus/;
 * rerun it after a wire format change. The scenario harness's seeds are
 * the files of scenarios/ and tests/malformed/. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "protocol/chain/block.h"
#include "protocol/chain/tx_envelope.h"
#include "protocol/chain/tx_envelope.h"
#include "protocol/core/msgtype.h"
#include "protocol/p2p/p2p_msg.h"
#include "protocol/pbft/pbft_evidence.h"
#include "protocol/pbft/pbft_ext.h"
#include "protocol/pbft/pbft_msg.h"
#include "protocol/poa/poa_msg.h"

#define CHAIN_ID 7
#define KEYS 4

typedef struct corpus {
    const char *root;
    proto_crypto *crypto;
    proto_keypair keys[KEYS];
} corpus;

/* Writes (and consumes) bytes as ROOT/NAME/FILE. */
static void put(const corpus *c, const char *name, const char *file, GBytes *bytes)
{
    char *dir = g_build_filename(c->root, name, NULL);
    char *path = g_build_filename(dir, file, NULL);
    gsize size = 0;
    const char *data = g_bytes_get_data(bytes, &size);
    GError *error = NULL;
    if (g_mkdir_with_parents(dir, 0755) != 0 ||
        !g_file_set_contents(path, data, (gssize)size, &error)) {
        fprintf(stderr, "make_corpus: cannot write %s\n", path);
        exit(1);
    }
    g_bytes_unref(bytes);
    g_free(path);
    g_free(dir);
}

/* Writes a type byte (0: none) then the writer's bytes. */
static GBytes *prefixed(uint8_t type, GBytes *body)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(body, &size);
    GByteArray *out = g_byte_array_new();
    g_byte_array_append(out, &type, 1);
    g_byte_array_append(out, data, (guint)size);
    g_bytes_unref(body);
    return g_byte_array_free_to_bytes(out);
}

static proto_txenv make_tx(const corpus *c, uint32_t from, uint64_t nonce)
{
    proto_txenv tx = {.chain_id = CHAIN_ID, .sender = c->keys[from].pk, .nonce = nonce,
                      .gas_limit = 20000, .max_fee_per_gas = 2000,
                      .max_priority_fee_per_gas = 1, .message_count = 1};
    tx.messages[0].type = PROTO_TXMSG_TRANSFER;
    tx.messages[0].transfer.to = (from + 1) % KEYS;
    tx.messages[0].transfer.amount = 1000 + nonce;
    proto_txenv_sign(&tx, c->crypto, &c->keys[from]);
    return tx;
}

static pbft_cert make_cert(uint8_t phase, uint64_t view, uint64_t seq, uint32_t signers)
{
    pbft_cert cert;
    proto_hash digest;
    proto_hash_bytes(&digest, &seq, sizeof seq);
    pbft_cert_init(&cert, phase, view, seq, seq == 0 ? &(proto_hash){{0}} : &digest);
    for (uint32_t v = 0; v < signers; v++) {
        proto_sig sig = {{(uint8_t)(v + 1)}};
        pbft_cert_add(&cert, v, &sig);
    }
    return cert;
}

static GBytes *make_ext(const corpus *c, uint64_t height)
{
    pbft_ext e;
    pbft_ext_init(&e);
    e.has_last_commit = true;
    e.last_commit = make_cert(PBFT_PHASE_COMMIT, 0, height - 1, 3);
    pbft_vote x = {.phase = PBFT_PHASE_PREPARE, .view = 1, .seq = height - 1, .validator = 2};
    pbft_vote y = x;
    y.digest.bytes[0] = 1;
    pbft_vote_sign(&x, CHAIN_ID, c->crypto, &c->keys[2]);
    pbft_vote_sign(&y, CHAIN_ID, c->crypto, &c->keys[2]);
    pbft_evidence ev;
    if (pbft_evidence_make(&x, &y, &ev)) {
        g_array_append_val(e.evidence, ev);
    }
    GBytes *out = pbft_ext_encode(&e);
    pbft_ext_clear(&e);
    return out;
}

/* A signed block at `height` with `txs` transactions (and a PBFT
 * extension if `ext`). */
static proto_block *make_block(const corpus *c, uint64_t height, uint32_t txs, bool ext)
{
    proto_block *b = proto_block_new();
    b->header.height = height;
    b->header.slot = height + 1;
    b->header.proposer = (uint32_t)(height % KEYS);
    b->header.timestamp_ns = (int64_t)height * 1000000;
    proto_hash_bytes(&b->header.parent, &height, sizeof height);
    for (uint32_t i = 0; i < txs; i++) {
        proto_txenv tx = make_tx(c, i % KEYS, height * 16 + i);
        g_array_append_val(b->txs, tx);
    }
    b->ext = ext ? make_ext(c, height) : NULL;
    proto_block_seal_txs(b);
    proto_block_sign(b, CHAIN_ID, c->crypto, &c->keys[b->header.proposer]);
    return b;
}

static GBytes *block_bytes(const proto_block *b)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_block_encode(b, &w);
    GBytes *out = proto_writer_steal(&w);
    proto_writer_clear(&w);
    return out;
}

/* ---- chain: TX, 2|block, 0|extension ---- */

static void write_chain(const corpus *c)
{
    proto_txenv tx = make_tx(c, 1, 42);
    put(c, "chain", "tx", proto_txenv_msg_encode(&tx));
    proto_block *empty = make_block(c, 1, 0, false);
    put(c, "chain", "block-empty", prefixed(PROTO_MSG_BLOCK, block_bytes(empty)));
    proto_block *full = make_block(c, 5, 3, true);
    put(c, "chain", "block-ext", prefixed(PROTO_MSG_BLOCK, block_bytes(full)));
    put(c, "chain", "ext", prefixed(0, g_bytes_ref(full->ext)));
    proto_block_free(empty);
    proto_block_free(full);
}

/* ---- poa: TX, BLOCK, GET_BLOCKS, BLOCKS ---- */

static void write_poa(const corpus *c)
{
    proto_txenv tx = make_tx(c, 2, 7);
    put(c, "poa_msg", "tx", poa_msg_tx_encode(&tx));
    proto_block *b1 = make_block(c, 3, 2, false);
    proto_block *b2 = make_block(c, 4, 0, false);
    put(c, "poa_msg", "block", poa_msg_block_encode(b1));
    put(c, "poa_msg", "get-blocks", poa_msg_get_blocks_encode(3, 16));
    GPtrArray *bodies = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    g_ptr_array_add(bodies, block_bytes(b1));
    g_ptr_array_add(bodies, block_bytes(b2));
    put(c, "poa_msg", "blocks", poa_msg_blocks_encode(bodies));
    g_ptr_array_set_size(bodies, 0);
    put(c, "poa_msg", "blocks-none", poa_msg_blocks_encode(bodies));
    g_ptr_array_unref(bodies);
    proto_block_free(b1);
    proto_block_free(b2);
}

/* ---- p2p: every mesh message ---- */

static void write_p2p(const corpus *c)
{
    put(c, "p2p_msg", "hello", p2p_hello_encode(false));
    put(c, "p2p_msg", "hello-ack", p2p_hello_encode(true));
    p2p_goodbye bye = {.code = P2P_BYE_PRUNE, .addrs = {.count = 3, .ids = {4, 9, 17}}};
    put(c, "p2p_msg", "goodbye", p2p_goodbye_encode(&bye));
    uint32_t beats[] = {5, 0, 7, 1};
    p2p_ping ping = {.seq = 12, .sent_ns = 99000, .distance = 2, .beats_count = 4};
    put(c, "p2p_msg", "ping", p2p_ping_encode(PROTO_MSG_P2P_PING, &ping, beats));
    ping.beats_count = 0;
    put(c, "p2p_msg", "pong", p2p_ping_encode(PROTO_MSG_P2P_PONG, &ping, beats));
    put(c, "p2p_msg", "get-peers", p2p_get_peers_encode());
    p2p_addrs peers = {.count = 2, .ids = {1, 2}};
    put(c, "p2p_msg", "peers", p2p_peers_encode(&peers));
    proto_txenv tx = make_tx(c, 0, 3);
    GBytes *inner = proto_txenv_msg_encode(&tx);
    put(c, "p2p_msg", "gossip", p2p_gossip_encode(PROTO_SCOPE_VALIDATORS, inner));
    p2p_id ids[3];
    for (uint32_t i = 0; i < 3; i++) {
        p2p_id_of(&ids[i], &i, sizeof i);
    }
    put(c, "p2p_msg", "ihave", p2p_ids_encode(PROTO_MSG_P2P_IHAVE, ids, 3));
    put(c, "p2p_msg", "iwant", p2p_ids_encode(PROTO_MSG_P2P_IWANT, ids, 1));
    g_bytes_unref(inner);
}

/* ---- pbft: every message type ---- */

static void write_votes(const corpus *c)
{
    static const uint8_t types[] = {PROTO_MSG_PBFT_PREPARE, PROTO_MSG_PBFT_COMMIT,
                                    PROTO_MSG_PBFT_CHECKPOINT};
    static const char *const names[] = {"prepare", "commit", "checkpoint"};
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
        pbft_vote v = {.phase = (uint8_t)(i + 1), .view = i == 2 ? 0 : 3, .seq = 8,
                       .validator = 1};
        proto_hash_bytes(&v.digest, names[i], 4);
        pbft_vote_sign(&v, CHAIN_ID, c->crypto, &c->keys[1]);
        put(c, "pbft_msg", names[i], pbft_msg_vote_encode(types[i], &v));
    }
}

/* A VIEWCHANGE to new_view by `validator`, committed at `committed`
 * with `prepared` prepared certificates above it; signed. */
static pbft_viewchange *make_vc(const corpus *c, uint64_t new_view, uint32_t validator,
                                uint64_t committed, uint32_t prepared, GPtrArray *att,
                                GBytes **wire)
{
    pbft_viewchange *vc = g_new0(pbft_viewchange, 1);
    vc->new_view = new_view;
    vc->validator = validator;
    vc->checkpoint = make_cert(PBFT_PHASE_CHECKPOINT, 0, committed / 2, committed > 0 ? 3 : 0);
    vc->committed = make_cert(PBFT_PHASE_COMMIT, 1, committed, committed > 0 ? 3 : 0);
    vc->prepared = g_ptr_array_new_with_free_func((GDestroyNotify)pbft_cert_free);
    for (uint32_t i = 0; i < prepared; i++) {
        pbft_cert *p = g_new0(pbft_cert, 1);
        *p = make_cert(PBFT_PHASE_PREPARE, new_view - 1, committed + 1 + i, 3);
        g_ptr_array_add(vc->prepared, p);
    }
    *wire = pbft_msg_viewchange_encode(vc, CHAIN_ID, c->crypto, &c->keys[validator], att);
    return vc;
}

static void write_view_change(const corpus *c, GBytes *block)
{
    GPtrArray *att = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    GBytes *wire = NULL;
    pbft_viewchange_free(make_vc(c, 1, 0, 0, 0, NULL, &wire));
    put(c, "pbft_msg", "viewchange-genesis", wire);
    g_ptr_array_add(att, g_bytes_ref(block));
    pbft_viewchange_free(make_vc(c, 4, 2, 6, 2, att, &wire));
    put(c, "pbft_msg", "viewchange-prepared", wire);
    pbft_newview nv = {.view = 4, .leader = 0};
    nv.viewchanges = g_ptr_array_new_with_free_func((GDestroyNotify)pbft_viewchange_free);
    for (uint32_t v = 1; v < KEYS; v++) {
        g_ptr_array_add(nv.viewchanges, make_vc(c, 4, v, 6, v - 1, NULL, &wire));
        g_bytes_unref(wire);
    }
    put(c, "pbft_msg", "newview", pbft_msg_newview_encode(&nv, CHAIN_ID, c->crypto,
                                                          &c->keys[0], att));
    g_ptr_array_unref(nv.viewchanges);
    g_bytes_unref(nv.signed_part);
    g_ptr_array_unref(att);
}

static void write_decided(const corpus *c, const proto_block *b1, const proto_block *b2)
{
    pbft_decided *d1 = g_new0(pbft_decided, 1);
    d1->block = block_bytes(b1);
    d1->cert = make_cert(PBFT_PHASE_COMMIT, 0, b1->header.height, 3);
    pbft_decided *d2 = g_new0(pbft_decided, 1);
    d2->block = block_bytes(b2);
    d2->cert = make_cert(PBFT_PHASE_COMMIT, 2, b2->header.height, 4);
    put(c, "pbft_msg", "decided", pbft_msg_decided_encode(d1));
    GPtrArray *all = g_ptr_array_new_with_free_func((GDestroyNotify)pbft_decided_free);
    g_ptr_array_add(all, d1);
    g_ptr_array_add(all, d2);
    put(c, "pbft_msg", "blocks", pbft_msg_blocks_encode(all));
    g_ptr_array_unref(all);
}

static void write_pbft(const corpus *c)
{
    proto_block *b1 = make_block(c, 6, 2, true);
    proto_block *b2 = make_block(c, 7, 0, false);
    put(c, "pbft_msg", "preprepare", pbft_msg_preprepare_encode(3, b1));
    write_votes(c);
    GBytes *block = block_bytes(b2);
    write_view_change(c, block);
    g_bytes_unref(block);
    write_decided(c, b1, b2);
    put(c, "pbft_msg", "get-blocks", pbft_msg_get_blocks_encode(6, 8));
    put(c, "pbft_msg", "status", pbft_msg_status_encode(3, 6));
    pbft_vote x = {.phase = PBFT_PHASE_COMMIT, .view = 2, .seq = 9, .validator = 3};
    pbft_vote y = x;
    y.digest.bytes[31] = 9;
    pbft_vote_sign(&x, CHAIN_ID, c->crypto, &c->keys[3]);
    pbft_vote_sign(&y, CHAIN_ID, c->crypto, &c->keys[3]);
    pbft_evidence ev;
    if (pbft_evidence_make(&x, &y, &ev)) {
        put(c, "pbft_msg", "evidence", pbft_evidence_encode(&ev));
    }
    proto_block_free(b1);
    proto_block_free(b2);
}

/* A signed v2 envelope of `count` messages (transfer, unjail, rotate key
 * in turn), written raw: the txenv harness takes the envelope's bytes. */
static GBytes *txenv_bytes(const corpus *c, uint16_t count)
{
    proto_txenv env = {.chain_id = CHAIN_ID, .sender = c->keys[0].pk, .nonce = 5,
                       .gas_limit = 200000, .max_fee_per_gas = 2000,
                       .max_priority_fee_per_gas = 10, .message_count = count};
    for (uint16_t i = 0; i < count; i++) {
        proto_txmsg *m = &env.messages[i];
        m->type = (uint8_t)(1 + i % 3);
        if (m->type == PROTO_TXMSG_TRANSFER) {
            m->transfer.to = i;
            m->transfer.amount = 1000 + i;
        } else if (m->type == PROTO_TXMSG_UNJAIL) {
            m->unjail.validator = i % KEYS;
        } else {
            m->rotate_key.validator = i % KEYS;
            m->rotate_key.new_key = c->keys[(i + 1) % KEYS].pk;
        }
    }
    proto_txenv_sign(&env, c->crypto, &c->keys[0]);
    proto_writer w;
    proto_writer_init(&w);
    proto_txenv_encode(&env, &w);
    return proto_writer_steal(&w);
}

/* A signed envelope of the multisig messages: a creation, a deposit, an
 * approval of a transfer (by the sender, owner 0 of multisig 1) and that
 * transfer's execution. */
static GBytes *txenv_multisig_bytes(const corpus *c)
{
    proto_txenv env = {.chain_id = CHAIN_ID, .sender = c->keys[0].pk, .nonce = 6,
                       .gas_limit = 200000, .max_fee_per_gas = 2000,
                       .max_priority_fee_per_gas = 10, .message_count = 4};
    proto_txmsg *m = &env.messages[0];
    m->type = PROTO_TXMSG_MULTISIG_CREATE;
    m->multisig_create.threshold = 2;
    m->multisig_create.owners_count = 3;
    for (uint32_t i = 0; i < 3; i++)
        m->multisig_create.owners[i] = i;
    m = &env.messages[1];
    m->type = PROTO_TXMSG_MULTISIG_DEPOSIT;
    m->multisig_deposit.multisig = 1;
    m->multisig_deposit.amount = 500;
    proto_txmsg *exec = &env.messages[3];
    exec->type = PROTO_TXMSG_MULTISIG_EXEC;
    exec->multisig_exec.multisig = 1;
    exec->multisig_exec.op.type = PROTO_MULTISIG_OP_TRANSFER;
    exec->multisig_exec.op.transfer.to = 3;
    exec->multisig_exec.op.transfer.amount = 200;
    m = &env.messages[2];
    m->type = PROTO_TXMSG_MULTISIG_APPROVE;
    m->multisig_approve.multisig = 1;
    proto_multisig_op_hash(CHAIN_ID, 1, 0, &exec->multisig_exec.op, &m->multisig_approve.op_hash);
    proto_txenv_sign(&env, c->crypto, &c->keys[0]);
    proto_writer w;
    proto_writer_init(&w);
    proto_txenv_encode(&env, &w);
    return proto_writer_steal(&w);
}

static void write_txenv(const corpus *c)
{
    put(c, "txenv", "one-transfer", txenv_bytes(c, 1));
    put(c, "txenv", "three-kinds", txenv_bytes(c, 3));
    put(c, "txenv", "max-messages", txenv_bytes(c, PROTO_TXENV_MESSAGES_MAX));
    put(c, "txenv", "multisig", txenv_multisig_bytes(c));
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_corpus DIR\n");
        return 2;
    }
    proto_crypto_global_init();
    corpus c = {.root = argv[1], .crypto = proto_crypto_new(PROTO_CRYPTO_REAL, 0)};
    for (uint32_t i = 0; i < KEYS; i++) {
        char label[32];
        g_snprintf(label, sizeof label, "validator/%u", i);
        proto_keypair_derive(&c.keys[i], 1, label);
    }
    write_chain(&c);
    write_poa(&c);
    write_p2p(&c);
    write_pbft(&c);
    write_txenv(&c);
    proto_crypto_free(c.crypto);
    return 0;
}
