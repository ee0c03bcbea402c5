/* Unit tests for the P2P mesh wire messages (protocol/p2p/p2p_msg.c).
 *
 * Every message type round-trips at edge values (empty and full address
 * lists, 0 and P2P_*_MAX counts, extreme integers, both scopes). Every
 * encoded message, cut at every byte offset (decoded from an exactly
 * sized heap copy, so ASan sees any overread), with a byte appended or
 * with another type byte, is rejected; counts one over their bound (with
 * the bytes present), unknown flags, codes and scopes, and a gossip
 * envelope carrying a p2p message are rejected; random bytes and random
 * damage to valid messages never crash a decoder. */
#include <check.h>
#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/core/crypto.h"
#include "protocol/core/msgtype.h"
#include "protocol/p2p/p2p_msg.h"

/* Decode with the decoder of data[0]'s type (false for other types). */
static bool decode_any(const uint8_t *data, size_t size)
{
    if (size == 0)
        return false;
    bool ack;
    p2p_goodbye bye;
    p2p_ping ping;
    p2p_addrs addrs;
    proto_scope scope;
    p2p_ids ids;
    switch (data[0]) {
    case PROTO_MSG_P2P_HELLO:
        return p2p_hello_decode(data, size, &ack);
    case PROTO_MSG_P2P_GOODBYE:
        return p2p_goodbye_decode(data, size, &bye);
    case PROTO_MSG_P2P_PING:
    case PROTO_MSG_P2P_PONG:
        if (!p2p_ping_decode(data[0], data, size, &ping))
            return false;
        for (uint32_t i = 0; i < ping.beats_count; i++)
            (void)p2p_ping_beat(&ping, i); /* reads every borrowed byte */
        return true;
    case PROTO_MSG_P2P_GET_PEERS:
        return p2p_get_peers_decode(data, size);
    case PROTO_MSG_P2P_PEERS:
        return p2p_peers_decode(data, size, &addrs);
    case PROTO_MSG_P2P_GOSSIP:
        return p2p_gossip_decode(data, size, &scope);
    case PROTO_MSG_P2P_IHAVE:
    case PROTO_MSG_P2P_IWANT:
        if (!p2p_ids_decode(data[0], data, size, &ids))
            return false;
        for (uint32_t i = 0; i < ids.count; i++) {
            p2p_id id;
            p2p_ids_get(&ids, i, &id);
        }
        return true;
    default:
        return false;
    }
}

/* An exactly sized heap copy: ASan flags a read one past the end. */
static bool decode_exact(const uint8_t *data, size_t size)
{
    uint8_t *copy = g_memdup2(data, size);
    bool ok = decode_any(copy, size);
    g_free(copy);
    return ok;
}

/* The type sharing a layout with `type` (PING/PONG, IHAVE/IWANT), or 0. */
static int sibling(uint8_t type)
{
    switch (type) {
    case PROTO_MSG_P2P_PING:
        return PROTO_MSG_P2P_PONG;
    case PROTO_MSG_P2P_PONG:
        return PROTO_MSG_P2P_PING;
    case PROTO_MSG_P2P_IHAVE:
        return PROTO_MSG_P2P_IWANT;
    case PROTO_MSG_P2P_IWANT:
        return PROTO_MSG_P2P_IHAVE;
    default:
        return 0;
    }
}

/* The message decodes; none of its damaged forms does. */
static void check_damage(GBytes *wire, const char *what)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    ck_assert_msg(decode_exact(data, size), "%s must decode", what);
    /* A gossip envelope's inner message runs to the end: a shorter one
     * (down to 1 byte) is still well-formed, so only cuts into the header
     * fail. */
    size_t cut_ok = data[0] == PROTO_MSG_P2P_GOSSIP ? P2P_GOSSIP_HEADER_SIZE + 1 : size;
    for (size_t cut = 0; cut < size; cut++)
        ck_assert_msg(decode_exact(data, cut) == (cut >= cut_ok), "%s cut at %zu", what, cut);
    if (data[0] != PROTO_MSG_P2P_GOSSIP) {
        uint8_t *longer = g_malloc(size + 1);
        memcpy(longer, data, size);
        longer[size] = 0;
        ck_assert_msg(!decode_exact(longer, size + 1), "%s with a trailing byte", what);
        g_free(longer);
    }
    /* Under any other p2p type (but its same-layout sibling, and GOSSIP,
     * whose envelope takes almost any bytes) the layouts disagree. */
    uint8_t *other = g_memdup2(data, size);
    for (int t = PROTO_MSG_P2P_HELLO; t <= PROTO_MSG_P2P_IWANT; t++) {
        if (t == data[0] || t == PROTO_MSG_P2P_GOSSIP || t == sibling(data[0]))
            continue;
        other[0] = (uint8_t)t;
        ck_assert_msg(!decode_exact(other, size), "%s as type %d", what, t);
    }
    g_free(other);
}

static p2p_addrs addrs_of(uint32_t count, uint32_t base)
{
    p2p_addrs a = {.count = count};
    for (uint32_t i = 0; i < count; i++)
        a.ids[i] = base == UINT32_MAX ? UINT32_MAX - i : base + i;
    return a;
}

START_TEST(test_hello_round_trip)
{
    for (int ack = 0; ack < 2; ack++) {
        GBytes *w = p2p_hello_encode(ack);
        gsize size = 0;
        const uint8_t *d = g_bytes_get_data(w, &size);
        bool got = !ack;
        ck_assert(p2p_hello_decode(d, size, &got));
        ck_assert_int_eq(got, ack);
        check_damage(w, "hello");
        g_bytes_unref(w);
    }
    uint8_t bad[2] = {PROTO_MSG_P2P_HELLO, 0x02};
    bool ack;
    ck_assert(!p2p_hello_decode(bad, 2, &ack));
}
END_TEST

START_TEST(test_goodbye_round_trip)
{
    uint32_t counts[] = {0, 1, P2P_ADDRS_MAX};
    for (uint8_t code = 1; code <= P2P_BYE_CODE_MAX; code++) {
        for (size_t c = 0; c < G_N_ELEMENTS(counts); c++) {
            p2p_goodbye m = {.code = code, .addrs = addrs_of(counts[c], UINT32_MAX)};
            GBytes *w = p2p_goodbye_encode(&m);
            gsize size = 0;
            const uint8_t *d = g_bytes_get_data(w, &size);
            p2p_goodbye got;
            ck_assert(p2p_goodbye_decode(d, size, &got));
            ck_assert_int_eq(got.code, code);
            ck_assert_uint_eq(got.addrs.count, counts[c]);
            ck_assert(memcmp(got.addrs.ids, m.addrs.ids, counts[c] * 4) == 0);
            check_damage(w, "goodbye");
            g_bytes_unref(w);
        }
    }
}
END_TEST

START_TEST(test_ping_round_trip)
{
    uint32_t beats[P2P_BEATS_MAX];
    for (uint32_t i = 0; i < P2P_BEATS_MAX; i++)
        beats[i] = i * 2654435761u;
    uint32_t counts[] = {0, 1, 7, P2P_BEATS_MAX};
    uint8_t types[] = {PROTO_MSG_P2P_PING, PROTO_MSG_P2P_PONG};
    for (size_t t = 0; t < 2; t++) {
        for (size_t c = 0; c < G_N_ELEMENTS(counts); c++) {
            p2p_ping m = {.seq = UINT64_MAX - c, .sent_ns = c % 2 ? INT64_MIN : INT64_MAX,
                          .distance = UINT32_MAX, .beats_count = counts[c]};
            GBytes *w = p2p_ping_encode(types[t], &m, beats);
            gsize size = 0;
            const uint8_t *d = g_bytes_get_data(w, &size);
            p2p_ping got;
            ck_assert(p2p_ping_decode(types[t], d, size, &got));
            ck_assert(!p2p_ping_decode(types[1 - t], d, size, &got));
            ck_assert(p2p_ping_decode(types[t], d, size, &got));
            ck_assert(got.seq == m.seq && got.sent_ns == m.sent_ns);
            ck_assert_uint_eq(got.distance, UINT32_MAX);
            ck_assert_uint_eq(got.beats_count, counts[c]);
            for (uint32_t i = 0; i < counts[c]; i++)
                ck_assert_uint_eq(p2p_ping_beat(&got, i), beats[i]);
            if (counts[c] <= 7)
                check_damage(w, "ping");
            g_bytes_unref(w);
        }
    }
}
END_TEST

START_TEST(test_peers_round_trip)
{
    GBytes *g = p2p_get_peers_encode();
    check_damage(g, "get_peers");
    g_bytes_unref(g);
    uint32_t counts[] = {0, 3, P2P_ADDRS_MAX};
    for (size_t c = 0; c < G_N_ELEMENTS(counts); c++) {
        p2p_addrs m = addrs_of(counts[c], 7);
        GBytes *w = p2p_peers_encode(&m);
        gsize size = 0;
        const uint8_t *d = g_bytes_get_data(w, &size);
        p2p_addrs got;
        ck_assert(p2p_peers_decode(d, size, &got));
        ck_assert_uint_eq(got.count, counts[c]);
        ck_assert(memcmp(got.ids, m.ids, counts[c] * 4) == 0);
        check_damage(w, "peers");
        g_bytes_unref(w);
    }
}
END_TEST

START_TEST(test_gossip_round_trip)
{
    size_t sizes[] = {1, 2, 5000};
    proto_scope scopes[] = {PROTO_SCOPE_VALIDATORS, PROTO_SCOPE_ALL};
    for (size_t s = 0; s < 2; s++) {
        for (size_t k = 0; k < G_N_ELEMENTS(sizes); k++) {
            uint8_t *inner = g_malloc(sizes[k]);
            for (size_t i = 0; i < sizes[k]; i++)
                inner[i] = (uint8_t)(i * 7 + 1);
            inner[0] = PROTO_MSG_TX;
            GBytes *ib = g_bytes_new_take(inner, sizes[k]);
            GBytes *w = p2p_gossip_encode(scopes[s], ib);
            gsize size = 0;
            const uint8_t *d = g_bytes_get_data(w, &size);
            proto_scope got;
            ck_assert(p2p_gossip_decode(d, size, &got));
            ck_assert_int_eq(got, scopes[s]);
            ck_assert_uint_eq(size, sizes[k] + P2P_GOSSIP_HEADER_SIZE);
            ck_assert(memcmp(d + P2P_GOSSIP_HEADER_SIZE, g_bytes_get_data(ib, NULL), sizes[k]) ==
                      0);
            ck_assert_uint_eq(proto_msg_counted_type(d, size), PROTO_MSG_TX);
            if (sizes[k] < 100)
                check_damage(w, "gossip");
            g_bytes_unref(w);
            g_bytes_unref(ib);
        }
    }
}
END_TEST

START_TEST(test_ids_round_trip)
{
    p2p_id ids[P2P_IDS_MAX];
    for (uint32_t i = 0; i < P2P_IDS_MAX; i++)
        p2p_id_of(&ids[i], &i, sizeof i);
    uint32_t counts[] = {1, 2, P2P_IDS_MAX};
    uint8_t types[] = {PROTO_MSG_P2P_IHAVE, PROTO_MSG_P2P_IWANT};
    for (size_t t = 0; t < 2; t++) {
        for (size_t c = 0; c < G_N_ELEMENTS(counts); c++) {
            GBytes *w = p2p_ids_encode(types[t], ids, counts[c]);
            gsize size = 0;
            const uint8_t *d = g_bytes_get_data(w, &size);
            p2p_ids got;
            ck_assert(p2p_ids_decode(types[t], d, size, &got));
            ck_assert(!p2p_ids_decode(types[1 - t], d, size, &got));
            ck_assert(p2p_ids_decode(types[t], d, size, &got));
            ck_assert_uint_eq(got.count, counts[c]);
            for (uint32_t i = 0; i < counts[c]; i++) {
                p2p_id id;
                p2p_ids_get(&got, i, &id);
                ck_assert(p2p_id_equal(&id, &ids[i]));
            }
            if (counts[c] <= 2)
                check_damage(w, "ids");
            g_bytes_unref(w);
        }
    }
}
END_TEST

static GBytes *steal(proto_writer *w)
{
    return proto_writer_steal(w);
}

/* A count field one over its bound, with the bytes it announces present. */
START_TEST(test_oversize_counts_rejected)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, PROTO_MSG_P2P_PEERS);
    proto_write_u16(&w, P2P_ADDRS_MAX + 1);
    for (uint32_t i = 0; i < P2P_ADDRS_MAX + 1; i++)
        proto_write_u32(&w, i);
    GBytes *b = steal(&w);
    ck_assert(!decode_any(g_bytes_get_data(b, NULL), g_bytes_get_size(b)));
    g_bytes_unref(b);

    proto_write_u8(&w, PROTO_MSG_P2P_GOODBYE);
    proto_write_u8(&w, P2P_BYE_FULL);
    proto_write_u16(&w, P2P_ADDRS_MAX + 1);
    for (uint32_t i = 0; i < P2P_ADDRS_MAX + 1; i++)
        proto_write_u32(&w, i);
    b = steal(&w);
    ck_assert(!decode_any(g_bytes_get_data(b, NULL), g_bytes_get_size(b)));
    g_bytes_unref(b);

    uint8_t types[] = {PROTO_MSG_P2P_IHAVE, PROTO_MSG_P2P_IWANT};
    for (int t = 0; t < 2; t++) {
        uint32_t bad_counts[] = {0, P2P_IDS_MAX + 1};
        for (int c = 0; c < 2; c++) {
            proto_write_u8(&w, types[t]);
            proto_write_u16(&w, (uint16_t)bad_counts[c]);
            uint8_t zero[P2P_ID_SIZE] = {0};
            for (uint32_t i = 0; i < bad_counts[c]; i++)
                proto_write_raw(&w, zero, sizeof zero);
            b = steal(&w);
            ck_assert(!decode_any(g_bytes_get_data(b, NULL), g_bytes_get_size(b)));
            g_bytes_unref(b);
        }
    }

    proto_write_u8(&w, PROTO_MSG_P2P_PING);
    proto_write_u64(&w, 1);
    proto_write_i64(&w, 1);
    proto_write_u32(&w, 1);
    proto_write_u16(&w, P2P_BEATS_MAX + 1);
    for (uint32_t i = 0; i < P2P_BEATS_MAX + 1; i++)
        proto_write_u32(&w, i);
    b = steal(&w);
    ck_assert(!decode_any(g_bytes_get_data(b, NULL), g_bytes_get_size(b)));
    g_bytes_unref(b);
    proto_writer_clear(&w);
}
END_TEST

START_TEST(test_bad_fields_rejected)
{
    uint8_t bye0[] = {PROTO_MSG_P2P_GOODBYE, 0, 0, 0};
    uint8_t bye6[] = {PROTO_MSG_P2P_GOODBYE, P2P_BYE_CODE_MAX + 1, 0, 0};
    uint8_t bye_ok[] = {PROTO_MSG_P2P_GOODBYE, P2P_BYE_CODE_MAX, 0, 0};
    ck_assert(!decode_exact(bye0, sizeof bye0));
    ck_assert(!decode_exact(bye6, sizeof bye6));
    ck_assert(decode_exact(bye_ok, sizeof bye_ok));
    uint8_t scope0[] = {PROTO_MSG_P2P_GOSSIP, 0, PROTO_MSG_TX};
    uint8_t scope3[] = {PROTO_MSG_P2P_GOSSIP, 3, PROTO_MSG_TX};
    uint8_t nested[] = {PROTO_MSG_P2P_GOSSIP, PROTO_SCOPE_ALL, PROTO_MSG_P2P_GOSSIP,
                        PROTO_SCOPE_ALL, PROTO_MSG_TX};
    uint8_t empty[] = {PROTO_MSG_P2P_GOSSIP, PROTO_SCOPE_ALL};
    uint8_t ok[] = {PROTO_MSG_P2P_GOSSIP, PROTO_SCOPE_VALIDATORS, PROTO_MSG_TX};
    ck_assert(!decode_exact(scope0, sizeof scope0));
    ck_assert(!decode_exact(scope3, sizeof scope3));
    ck_assert(!decode_exact(nested, sizeof nested));
    ck_assert(!decode_exact(empty, sizeof empty));
    ck_assert(decode_exact(ok, sizeof ok));
    for (int t = PROTO_MSG_P2P_HELLO; t <= PROTO_MSG_P2P_IWANT; t++) {
        uint8_t inner_p2p[] = {PROTO_MSG_P2P_GOSSIP, PROTO_SCOPE_ALL, (uint8_t)t, 0, 0};
        ck_assert(!decode_exact(inner_p2p, sizeof inner_p2p));
    }
}
END_TEST

static uint64_t rng_next(uint64_t *s)
{
    *s += 0x9E3779B97F4A7C15ULL;
    uint64_t z = *s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

START_TEST(test_random_bytes_never_crash)
{
    uint64_t s = 42;
    uint8_t buf[256];
    for (int iter = 0; iter < 200000; iter++) {
        size_t size = rng_next(&s) % sizeof buf;
        for (size_t i = 0; i < size; i++)
            buf[i] = (uint8_t)rng_next(&s);
        if (size > 0) /* mostly p2p types, so the decoders see the bytes */
            buf[0] = (uint8_t)(PROTO_MSG_P2P_HELLO + rng_next(&s) % 9);
        (void)decode_exact(buf, size);
    }
    /* Random damage to valid messages. */
    uint32_t beats[3] = {1, 2, 3};
    p2p_ping ping = {.seq = 1, .sent_ns = 2, .distance = 3, .beats_count = 3};
    p2p_addrs a = addrs_of(5, 1);
    p2p_id ids[2] = {{{1}}, {{2}}};
    GBytes *valid[] = {p2p_ping_encode(PROTO_MSG_P2P_PONG, &ping, beats), p2p_peers_encode(&a),
                       p2p_ids_encode(PROTO_MSG_P2P_IWANT, ids, 2)};
    for (size_t v = 0; v < G_N_ELEMENTS(valid); v++) {
        gsize size = 0;
        const uint8_t *d = g_bytes_get_data(valid[v], &size);
        for (int iter = 0; iter < 20000; iter++) {
            uint8_t *copy = g_memdup2(d, size);
            for (int k = 0; k < 3; k++)
                copy[rng_next(&s) % size] = (uint8_t)rng_next(&s);
            (void)decode_any(copy, size);
            g_free(copy);
        }
        g_bytes_unref(valid[v]);
    }
}
END_TEST

START_TEST(test_id_is_hash_prefix)
{
    const char msg[] = "block";
    p2p_id a, b, c;
    p2p_id_of(&a, msg, sizeof msg);
    p2p_id_of(&b, msg, sizeof msg);
    p2p_id_of(&c, msg, sizeof msg - 1);
    ck_assert(p2p_id_equal(&a, &b));
    ck_assert(!p2p_id_equal(&a, &c));
    proto_hash h;
    proto_hash_bytes(&h, msg, sizeof msg);
    ck_assert(memcmp(h.bytes, a.bytes, P2P_ID_SIZE) == 0);
}
END_TEST

static Suite *p2p_msg_suite(void)
{
    Suite *s = suite_create("p2p_msg");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_hello_round_trip);
    tcase_add_test(tc, test_goodbye_round_trip);
    tcase_add_test(tc, test_ping_round_trip);
    tcase_add_test(tc, test_peers_round_trip);
    tcase_add_test(tc, test_gossip_round_trip);
    tcase_add_test(tc, test_ids_round_trip);
    tcase_add_test(tc, test_oversize_counts_rejected);
    tcase_add_test(tc, test_bad_fields_rejected);
    tcase_add_test(tc, test_random_bytes_never_crash);
    tcase_add_test(tc, test_id_is_hash_prefix);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(p2p_msg_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
