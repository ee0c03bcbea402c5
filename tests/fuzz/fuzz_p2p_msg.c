/* Fuzz harness for the P2P mesh decoders (protocol/p2p/p2p_msg.h),
 * dispatching on the first byte as the mesh does: HELLO, GOODBYE, PING,
 * PONG, GET_PEERS, PEERS, GOSSIP, IHAVE, IWANT.
 *
 * Canonical: every decoded message encodes back to the input (GOSSIP:
 * the envelope rebuilt around the inner bytes, which belong to another
 * decoder). Untouched: p2p_msg.h promises no such thing (the decoders
 * fill their outputs as they read, to allocate nothing), so it is not
 * checked here. */
#include "fuzz.h"

#include "protocol/core/msgtype.h"
#include "protocol/p2p/p2p_msg.h"

static void fuzz_hello(const uint8_t *data, size_t size)
{
    bool ack = false;
    if (p2p_hello_decode(data, size, &ack)) {
        fuzz_check_same(p2p_hello_encode(ack), data, size, "hello: not canonical");
    }
}

static void fuzz_goodbye(const uint8_t *data, size_t size)
{
    p2p_goodbye m;
    if (p2p_goodbye_decode(data, size, &m)) {
        fuzz_check_same(p2p_goodbye_encode(&m), data, size, "goodbye: not canonical");
    }
}

static void fuzz_ping(const uint8_t *data, size_t size)
{
    p2p_ping m;
    if (!p2p_ping_decode(data[0], data, size, &m)) {
        return;
    }
    uint32_t *beats = g_new0(uint32_t, m.beats_count + 1);
    for (uint32_t i = 0; i < m.beats_count; i++) {
        beats[i] = p2p_ping_beat(&m, i);
    }
    fuzz_check_same(p2p_ping_encode(data[0], &m, beats), data, size, "ping: not canonical");
    g_free(beats);
}

static void fuzz_get_peers(const uint8_t *data, size_t size)
{
    if (p2p_get_peers_decode(data, size)) {
        fuzz_check_same(p2p_get_peers_encode(), data, size, "get_peers: not canonical");
    }
}

static void fuzz_peers(const uint8_t *data, size_t size)
{
    p2p_addrs m;
    if (p2p_peers_decode(data, size, &m)) {
        fuzz_check_same(p2p_peers_encode(&m), data, size, "peers: not canonical");
    }
}

static void fuzz_gossip(const uint8_t *data, size_t size)
{
    proto_scope scope;
    if (!p2p_gossip_decode(data, size, &scope)) {
        return;
    }
    GBytes *inner = g_bytes_new(data + P2P_GOSSIP_HEADER_SIZE, size - P2P_GOSSIP_HEADER_SIZE);
    fuzz_check_same(p2p_gossip_encode(scope, inner), data, size, "gossip: not canonical");
    g_bytes_unref(inner);
}

static void fuzz_ids(const uint8_t *data, size_t size)
{
    p2p_ids m;
    if (!p2p_ids_decode(data[0], data, size, &m)) {
        return;
    }
    p2p_id *ids = g_new0(p2p_id, m.count + 1);
    for (uint32_t i = 0; i < m.count; i++) {
        p2p_ids_get(&m, i, &ids[i]);
    }
    fuzz_check_same(p2p_ids_encode(data[0], ids, m.count), data, size, "ids: not canonical");
    g_free(ids);
}

typedef void (*fuzz_fn)(const uint8_t *data, size_t size);

static fuzz_fn fuzz_of(uint8_t type)
{
    switch (type) {
    case PROTO_MSG_P2P_HELLO: return fuzz_hello;
    case PROTO_MSG_P2P_GOODBYE: return fuzz_goodbye;
    case PROTO_MSG_P2P_PING:
    case PROTO_MSG_P2P_PONG: return fuzz_ping;
    case PROTO_MSG_P2P_GET_PEERS: return fuzz_get_peers;
    case PROTO_MSG_P2P_PEERS: return fuzz_peers;
    case PROTO_MSG_P2P_GOSSIP: return fuzz_gossip;
    case PROTO_MSG_P2P_IHAVE:
    case PROTO_MSG_P2P_IWANT: return fuzz_ids;
    default: return NULL;
    }
}

/* An unknown type goes to every decoder that takes any type byte; each
 * must refuse it. */
static void fuzz_foreign(const uint8_t *data, size_t size)
{
    bool ack;
    p2p_goodbye bye;
    p2p_addrs addrs;
    proto_scope scope;
    fuzz_check(!p2p_hello_decode(data, size, &ack), "hello: accepted another type");
    fuzz_check(!p2p_goodbye_decode(data, size, &bye), "goodbye: accepted another type");
    fuzz_check(!p2p_get_peers_decode(data, size), "get_peers: accepted another type");
    fuzz_check(!p2p_peers_decode(data, size, &addrs), "peers: accepted another type");
    fuzz_check(!p2p_gossip_decode(data, size, &scope), "gossip: accepted another type");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    fuzz_fn fn = fuzz_of(data[0]);
    if (fn == NULL) {
        fuzz_foreign(data, size);
        return 0;
    }
    fn(data, size);
    return 0;
}
