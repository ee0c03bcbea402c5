/* Unit tests for a node's fee memory (protocol/chain/fee_tracker.c).
 *
 * The quote's tip must be go-ethereum's gas-price oracle (the 3 lowest
 * tips of each of the last 20 blocks, the 60th percentile, the proposer's
 * own transactions and tips under 1 left out, one more block read while a
 * block yields at most one sample, the previous answer for blocks with
 * nothing to sample). Small cases have their answer worked out by hand in
 * the comments; a long chain of busy blocks (more transactions than the
 * tracker keeps per block) is checked block by block against
 * proto_fee_suggest_tip over the full receipts, and the fee history
 * against proto_fee_history over the same receipts. Then the ring (at most
 * PROTO_FEE_TRACKER_KEEP blocks), pop on a reorg and the cached answer. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "protocol/chain/fee_tracker.h"

#define TIP_DEFAULT 77

/* A block as the test keeps it: every receipt, not only what the tracker keeps. */
typedef struct full_block {
    uint64_t base_fee;
    uint64_t gas_used;
    uint64_t gas_limit;
    GArray *receipts; /* proto_fee_tx_record */
} full_block;

/* A chain of full blocks, oldest first. */
typedef struct full_chain {
    full_block blocks[128];
    uint32_t count;
} full_chain;

static void chain_clear(full_chain *c)
{
    for (uint32_t i = 0; i < c->count; i++)
        g_array_unref(c->blocks[i].receipts);
    c->count = 0;
}

/* A new empty block at the top of c; receipts are added with add_tx. */
static full_block *chain_add(full_chain *c, uint64_t base_fee, uint64_t gas_limit)
{
    ck_assert_uint_lt(c->count, G_N_ELEMENTS(c->blocks));
    full_block *b = &c->blocks[c->count++];
    *b = (full_block){.base_fee = base_fee,
                      .gas_limit = gas_limit,
                      .receipts = g_array_new(FALSE, FALSE, sizeof(proto_fee_tx_record))};
    return b;
}

static void add_tx(full_block *b, uint64_t gas_used, uint64_t tip, bool from_proposer)
{
    proto_fee_tx_record r = {.gas_used = gas_used,
                             .effective_tip = tip,
                             .tips = gas_used * tip,
                             .from_proposer = from_proposer};
    g_array_append_val(b->receipts, r);
    b->gas_used += gas_used;
}

/* A block of txs tipping tips[0..n) (gas 21000 each, none the proposer's). */
static full_block *add_block_of(full_chain *c, const uint64_t *tips, uint32_t n)
{
    full_block *b = chain_add(c, 1000, 30000000);
    for (uint32_t i = 0; i < n; i++)
        add_tx(b, 21000, tips[i], false);
    return b;
}

static void push(proto_fee_tracker *h, const full_block *b)
{
    proto_fee_tracker_push(h, b->base_fee, b->gas_used, b->gas_limit, b->receipts);
}

/* The records of c's blocks [from, from + n) for the oracle functions. */
static void records_of(const full_chain *c, uint32_t from, uint32_t n, proto_fee_block_record *out)
{
    for (uint32_t i = 0; i < n; i++) {
        const full_block *b = &c->blocks[from + i];
        out[i] = (proto_fee_block_record){
            .base_fee = b->base_fee,
            .gas_used = b->gas_used,
            .gas_limit = b->gas_limit,
            .txs = b->receipts->len > 0 ? (const proto_fee_tx_record *)b->receipts->data : NULL,
            .tx_count = b->receipts->len};
    }
}

/* The oracle as the tracker is documented to run it: go-ethereum's full
 * node, tips under 1 ignored, no price cap. */
static proto_fee_oracle_params tracker_oracle(void)
{
    proto_fee_oracle_params op = proto_fee_oracle_params_geth();
    op.ignore_price = 1;
    op.max_price = UINT64_MAX;
    return op;
}

/* proto_fee_suggest_tip over the whole of c with the full receipts. */
static uint64_t oracle_over(const full_chain *c, uint64_t last_price)
{
    proto_fee_block_record recs[G_N_ELEMENTS(c->blocks)];
    records_of(c, 0, c->count, recs);
    proto_fee_oracle_params op = tracker_oracle();
    return proto_fee_suggest_tip(&op, recs, c->count, last_price);
}

/* A deterministic stream for the long chains (xorshift64). */
static uint64_t next_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

START_TEST(test_quote_without_blocks)
{
    proto_fee_params p = proto_fee_params_eip1559();
    proto_fee_tracker *h = proto_fee_tracker_new(&p, TIP_DEFAULT);
    ck_assert_uint_eq(proto_fee_tracker_count(h), 0);
    proto_fee_quote q = proto_fee_tracker_quote(h, 1234);
    ck_assert_uint_eq(q.base_fee, 1234);
    ck_assert_uint_eq(q.tip, TIP_DEFAULT);
    /* Pushing nothing and popping an empty tracker change nothing. */
    proto_fee_tracker_pop(h);
    ck_assert_uint_eq(proto_fee_tracker_count(h), 0);
    q = proto_fee_tracker_quote(h, 99);
    ck_assert_uint_eq(q.base_fee, 99);
    ck_assert_uint_eq(q.tip, TIP_DEFAULT);
    /* An empty history: only the next base fee. */
    uint64_t base_fee[1] = {0};
    double ratio[1];
    uint64_t reward[PROTO_FEE_TRACKER_PERCENTILE_COUNT];
    ck_assert_uint_eq(proto_fee_tracker_query(h, 1, 555, base_fee, ratio, reward), 0);
    ck_assert_uint_eq(base_fee[0], 555);
    proto_fee_tracker_free(h);
}
END_TEST

/* One block: tips 0 (ignored: under 1), the proposer's 1 (ignored), then
 * 40, 10, 30, 20. Samples are the 3 lowest eligible, 10 20 30; element
 * (3 - 1) * 60 / 100 = 1 is 20. Had the proposer's or the zero tip been
 * sampled, the answer would be 10. */
START_TEST(test_quote_ignores_proposer_and_zero)
{
    full_chain c = {0};
    full_block *b = chain_add(&c, 1000, 30000000);
    add_tx(b, 21000, 0, false);
    add_tx(b, 21000, 1, true);
    add_tx(b, 21000, 40, false);
    add_tx(b, 21000, 10, false);
    add_tx(b, 21000, 30, false);
    add_tx(b, 21000, 20, false);
    proto_fee_params p = proto_fee_params_eip1559();
    proto_fee_tracker *h = proto_fee_tracker_new(&p, TIP_DEFAULT);
    push(h, b);
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 1000).tip, 20);
    ck_assert_uint_eq(oracle_over(&c, TIP_DEFAULT), 20);
    proto_fee_tracker_free(h);

    /* Tip 1 is a real tip here (go-ethereum ignores under 2 wei): tips 1 1 2
     * give samples 1 1 2 and element 1 is 1. */
    full_chain d = {0};
    const uint64_t ones[] = {2, 1, 1};
    add_block_of(&d, ones, 3);
    h = proto_fee_tracker_new(&p, TIP_DEFAULT);
    push(h, &d.blocks[0]);
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 1000).tip, 1);
    proto_fee_tracker_free(h);
    chain_clear(&c);
    chain_clear(&d);
}
END_TEST

/* Three blocks, oldest first:
 *   A  9 7 5 3 and the proposer's 1   samples 3 5 7
 *   B  40 0 30 20 10                  samples 10 20 30
 *   C  100 60 80                      samples 60 80 100
 * Nine samples 3 5 7 10 20 30 60 80 100; element 8 * 60 / 100 = 4 is 20.
 * (Every eligible tip instead of the 3 lowest would give 11 values and
 * element 6 = 30.) With A alone: 3 5 7, element 1 = 5. */
START_TEST(test_quote_by_hand)
{
    full_chain c = {0};
    full_block *a = chain_add(&c, 1000, 30000000);
    add_tx(a, 21000, 9, false);
    add_tx(a, 21000, 7, false);
    add_tx(a, 21000, 5, false);
    add_tx(a, 21000, 3, false);
    add_tx(a, 21000, 1, true);
    const uint64_t tips_b[] = {40, 0, 30, 20, 10};
    const uint64_t tips_c[] = {100, 60, 80};
    add_block_of(&c, tips_b, G_N_ELEMENTS(tips_b));
    add_block_of(&c, tips_c, G_N_ELEMENTS(tips_c));

    proto_fee_params p = proto_fee_params_eip1559();
    proto_fee_tracker *h = proto_fee_tracker_new(&p, TIP_DEFAULT);
    push(h, &c.blocks[0]);
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 1000).tip, 5);
    push(h, &c.blocks[1]);
    push(h, &c.blocks[2]);
    ck_assert_uint_eq(proto_fee_tracker_count(h), 3);
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 1000).tip, 20);
    ck_assert_uint_eq(oracle_over(&c, TIP_DEFAULT), 20);
    proto_fee_tracker_free(h);
    chain_clear(&c);
}
END_TEST

/* Only the last 20 blocks count while each yields 3 samples. The newest
 * 20: eleven of 10 10 10, one of 10 10 30, eight of 30 30 30, so 35 tens
 * then 25 thirties; element 59 * 60 / 100 = 35 is 30. Were the 21st
 * newest block (1 1 1) read too, 63 samples, element 37 would be 10. */
START_TEST(test_quote_reads_last_20_blocks)
{
    full_chain c = {0};
    const uint64_t low[] = {1, 1, 1};
    const uint64_t tens[] = {10, 10, 10};
    const uint64_t mixed[] = {10, 30, 10};
    const uint64_t thirties[] = {30, 30, 30};
    add_block_of(&c, low, 3);
    for (int i = 0; i < 8; i++)
        add_block_of(&c, thirties, 3);
    add_block_of(&c, mixed, 3);
    for (int i = 0; i < 11; i++)
        add_block_of(&c, tens, 3);
    ck_assert_uint_eq(c.count, 21);
    proto_fee_params p = proto_fee_params_eip1559();
    proto_fee_tracker *h = proto_fee_tracker_new(&p, TIP_DEFAULT);
    for (uint32_t i = 0; i < c.count; i++)
        push(h, &c.blocks[i]);
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 1000).tip, 30);
    ck_assert_uint_eq(oracle_over(&c, TIP_DEFAULT), 30);
    proto_fee_tracker_free(h);
    chain_clear(&c);
}
END_TEST

/* Blocks of one transaction each (block n tips n, n = 1..45): each yields
 * one sample, so one more block is read per block, up to 2 x 20 = 40 in
 * all: tips 6..45, element 39 * 60 / 100 = 23 of them is 29. */
START_TEST(test_quote_sparse_blocks_read_up_to_40)
{
    full_chain c = {0};
    proto_fee_params p = proto_fee_params_eip1559();
    proto_fee_tracker *h = proto_fee_tracker_new(&p, TIP_DEFAULT);
    for (uint64_t n = 1; n <= 45; n++) {
        add_block_of(&c, &n, 1);
        push(h, &c.blocks[c.count - 1]);
    }
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 1000).tip, 29);
    ck_assert_uint_eq(oracle_over(&c, TIP_DEFAULT), 29);
    /* With 25 blocks all are read: tips 1..25, element 24 * 60 / 100 = 14 is 15. */
    proto_fee_tracker_free(h);
    h = proto_fee_tracker_new(&p, TIP_DEFAULT);
    for (uint32_t i = 0; i < 25; i++)
        push(h, &c.blocks[i]);
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 1000).tip, 15);
    proto_fee_tracker_free(h);
    chain_clear(&c);
}
END_TEST

/* Empty blocks count as one sample of the previous answer, and the
 * previous answer is the last quote's. A (oldest) holds one tip 10; then
 * two empty blocks. Quoted after A (answer 10) and again after the empty
 * ones: samples 10 10 10, answer 10. Never quoted in between: the
 * default 100 stands in, samples 10 100 100, element 2 * 60 / 100 = 1 is
 * 100. */
START_TEST(test_quote_previous_answer_for_empty_blocks)
{
    full_chain c = {0};
    const uint64_t ten = 10;
    add_block_of(&c, &ten, 1);
    chain_add(&c, 1000, 30000000);
    chain_add(&c, 1000, 30000000);
    proto_fee_params p = proto_fee_params_eip1559();

    proto_fee_tracker *h = proto_fee_tracker_new(&p, 100);
    push(h, &c.blocks[0]);
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 1000).tip, 10);
    push(h, &c.blocks[1]);
    push(h, &c.blocks[2]);
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 1000).tip, 10);
    proto_fee_tracker_free(h);

    h = proto_fee_tracker_new(&p, 100);
    for (uint32_t i = 0; i < 3; i++)
        push(h, &c.blocks[i]);
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 1000).tip, 100);
    ck_assert_uint_eq(oracle_over(&c, 100), 100);
    proto_fee_tracker_free(h);

    /* Only empty blocks (NULL receipts too): the default stands. */
    h = proto_fee_tracker_new(&p, 100);
    proto_fee_tracker_push(h, 1000, 0, 30000000, NULL);
    proto_fee_tracker_push(h, 1000, 0, 30000000, c.blocks[1].receipts);
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 1000).tip, 100);
    proto_fee_tracker_free(h);
    chain_clear(&c);
}
END_TEST

/* A block of the long chain: its shape by index, its tips from the stream. */
static void add_busy_block(full_chain *c, uint32_t i, uint64_t *rng)
{
    full_block *b = chain_add(c, 1000 + i, 30000000);
    if (i % 7 == 3)
        return; /* empty */
    if (i % 11 == 5) {
        /* Nothing the oracle may sample: the proposer's and zero tips. */
        add_tx(b, 21000, 5, true);
        add_tx(b, 30000, 0, false);
        return;
    }
    if (i % 13 == 0) {
        /* One sample: the oracle reads one more block. */
        add_tx(b, 21000, 3, true);
        add_tx(b, 25000, 20 + i % 9, false);
        add_tx(b, 21000, 0, false);
        return;
    }
    /* 9 to 24 transactions, the lowest tips anywhere in block order. */
    uint32_t n = 9 + (uint32_t)(next_rand(rng) % 16);
    for (uint32_t t = 0; t < n; t++) {
        uint64_t r = next_rand(rng);
        uint64_t tip = r % 5 == 0 ? 0 : 1 + (r >> 8) % 60;
        add_tx(b, 21000 + (r >> 20) % 50000, tip, t % 5 == 2);
    }
}

/* More than PROTO_FEE_TRACKER_SAMPLES eligible txs per block and more
 * blocks than the ring keeps: after each push the tracker's quote equals
 * the oracle run over the full receipts of every block so far (carrying
 * the previous answer along as the tracker does; some heights are not
 * quoted, so the previous answer is then older). */
START_TEST(test_quote_matches_oracle_over_full_receipts)
{
    full_chain c = {0};
    proto_fee_params p = proto_fee_params_eip1559();
    proto_fee_tracker *h = proto_fee_tracker_new(&p, TIP_DEFAULT);
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    uint64_t last = TIP_DEFAULT;
    uint32_t busy = 0;
    for (uint32_t i = 0; i < 100; i++) {
        add_busy_block(&c, i, &rng);
        push(h, &c.blocks[i]);
        uint32_t eligible = 0;
        const GArray *rs = c.blocks[i].receipts;
        for (guint t = 0; t < rs->len; t++) {
            const proto_fee_tx_record *r = &g_array_index(rs, proto_fee_tx_record, t);
            eligible += !r->from_proposer && r->effective_tip >= 1;
        }
        busy += eligible > PROTO_FEE_TRACKER_SAMPLES;
        if (i % 4 == 2)
            continue;
        uint64_t want = oracle_over(&c, last);
        proto_fee_quote q = proto_fee_tracker_quote(h, 2000 + i);
        ck_assert_msg(q.tip == want,
                      "height %u: tracker %" G_GUINT64_FORMAT
                      ", oracle over full receipts %" G_GUINT64_FORMAT,
                      i, q.tip, want);
        ck_assert_uint_eq(q.base_fee, 2000 + i);
        last = want;
    }
    ck_assert_uint_eq(proto_fee_tracker_count(h), PROTO_FEE_TRACKER_KEEP);
    ck_assert_uint_ge(busy, 40); /* the case is about busy blocks */
    proto_fee_tracker_free(h);
    chain_clear(&c);
}
END_TEST

/* The tracker keeps the lowest eligible tips, not the first ones: a block
 * of 12 eligible tips where the three lowest come last. */
START_TEST(test_quote_lowest_tips_last_in_block)
{
    full_chain c = {0};
    const uint64_t tips[] = {90, 80, 70, 60, 50, 40, 35, 33, 31, 3, 2, 1};
    add_block_of(&c, tips, G_N_ELEMENTS(tips));
    proto_fee_params p = proto_fee_params_eip1559();
    proto_fee_tracker *h = proto_fee_tracker_new(&p, TIP_DEFAULT);
    push(h, &c.blocks[0]);
    /* Samples 1 2 3, element 1 is 2. */
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 1000).tip, 2);
    ck_assert_uint_eq(oracle_over(&c, TIP_DEFAULT), 2);
    proto_fee_tracker_free(h);
    chain_clear(&c);
}
END_TEST

/* Pop removes the newest block: the quote goes back, and a push after a
 * pop takes the popped block's place. A: 10 20 30 (answer 20). B: 100 200
 * 300 (with A: 10 20 30 100 200 300, element 5 * 60 / 100 = 3 is 100).
 * C: 1 2 3 (with A: 1 2 3 10 20 30, element 3 is 10). */
START_TEST(test_pop_restores_quote)
{
    full_chain c = {0};
    const uint64_t a[] = {10, 20, 30}, b[] = {100, 200, 300}, d[] = {1, 2, 3};
    add_block_of(&c, a, 3)->base_fee = 501;
    add_block_of(&c, b, 3)->base_fee = 502;
    add_block_of(&c, d, 3)->base_fee = 503;
    proto_fee_params p = proto_fee_params_eip1559();
    proto_fee_tracker *h = proto_fee_tracker_new(&p, TIP_DEFAULT);
    push(h, &c.blocks[0]);
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 1000).tip, 20);
    push(h, &c.blocks[1]);
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 1000).tip, 100);
    proto_fee_tracker_pop(h);
    ck_assert_uint_eq(proto_fee_tracker_count(h), 1);
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 1000).tip, 20);
    push(h, &c.blocks[2]);
    ck_assert_uint_eq(proto_fee_tracker_count(h), 2);
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 1000).tip, 10);
    /* The history is A then C: B is gone. */
    uint64_t base_fee[3];
    double ratio[2];
    uint64_t reward[2 * PROTO_FEE_TRACKER_PERCENTILE_COUNT];
    ck_assert_uint_eq(proto_fee_tracker_query(h, 2, 7, base_fee, ratio, reward), 2);
    ck_assert_uint_eq(base_fee[0], 501);
    ck_assert_uint_eq(base_fee[1], 503);
    ck_assert_uint_eq(base_fee[2], 7);
    /* Pop to empty: no blocks, the last answer stands (go-ethereum's
     * lastPrice), and pop on empty is a no-op. */
    proto_fee_tracker_pop(h);
    proto_fee_tracker_pop(h);
    proto_fee_tracker_pop(h);
    ck_assert_uint_eq(proto_fee_tracker_count(h), 0);
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 1000).tip, 10);
    push(h, &c.blocks[1]);
    ck_assert_uint_eq(proto_fee_tracker_count(h), 1);
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 1000).tip, 200);
    ck_assert_uint_eq(proto_fee_tracker_query(h, 5, 7, base_fee, ratio, reward), 1);
    ck_assert_uint_eq(base_fee[0], 502);
    proto_fee_tracker_free(h);
    chain_clear(&c);
}
END_TEST

/* The quote is remembered until the kept blocks change: a second quote
 * gives the same tip (with the base fee it is given, not the remembered
 * one); a push, and a pop, make it answer anew. */
START_TEST(test_quote_cache)
{
    full_chain c = {0};
    const uint64_t a[] = {10, 20, 30}, b[] = {100, 200, 300};
    add_block_of(&c, a, 3);
    add_block_of(&c, b, 3);
    proto_fee_params p = proto_fee_params_eip1559();
    proto_fee_tracker *h = proto_fee_tracker_new(&p, TIP_DEFAULT);
    push(h, &c.blocks[0]);
    proto_fee_quote q1 = proto_fee_tracker_quote(h, 50);
    proto_fee_quote q2 = proto_fee_tracker_quote(h, 70);
    ck_assert_uint_eq(q1.tip, 20);
    ck_assert_uint_eq(q2.tip, 20);
    ck_assert_uint_eq(q1.base_fee, 50);
    ck_assert_uint_eq(q2.base_fee, 70);
    push(h, &c.blocks[1]);
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 70).tip, 100);
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 71).tip, 100);
    proto_fee_tracker_pop(h);
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 70).tip, 20);
    /* A push of the same block again after a pop is a change too. */
    push(h, &c.blocks[1]);
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 70).tip, 100);
    /* An empty block pushed after a quote: the previous answer (100)
     * stands in: samples 10 20 30 100 100 200 300, element 6 * 60 / 100 =
     * 3 is 100 (the default 77 in its place would give 77). */
    proto_fee_tracker_push(h, 1000, 0, 30000000, NULL);
    ck_assert_uint_eq(proto_fee_tracker_count(h), 3);
    ck_assert_uint_eq(proto_fee_tracker_quote(h, 70).tip, 100);
    proto_fee_tracker_free(h);
    chain_clear(&c);
}
END_TEST

/* At most PROTO_FEE_TRACKER_KEEP blocks, the oldest dropped; a pop on a
 * full ring drops the newest and the next push takes its place. */
START_TEST(test_ring_keeps_newest)
{
    proto_fee_params p = proto_fee_params_eip1559();
    proto_fee_tracker *h = proto_fee_tracker_new(&p, TIP_DEFAULT);
    const uint32_t pushed = PROTO_FEE_TRACKER_KEEP + 6;
    for (uint32_t i = 0; i < pushed; i++) {
        proto_fee_tracker_push(h, 1000 + i, i, 100, NULL);
        ck_assert_uint_eq(proto_fee_tracker_count(h), MIN(i + 1, PROTO_FEE_TRACKER_KEEP));
    }
    enum { KEEP = PROTO_FEE_TRACKER_KEEP, NP = PROTO_FEE_TRACKER_PERCENTILE_COUNT };
    uint64_t base_fee[KEEP + 10 + 1];
    double ratio[KEEP + 10];
    uint64_t reward[(KEEP + 10) * NP];
    uint32_t n = proto_fee_tracker_query(h, KEEP + 10, 9999, base_fee, ratio, reward);
    ck_assert_uint_eq(n, KEEP);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t height = pushed - KEEP + i;
        ck_assert_uint_eq(base_fee[i], 1000 + height);
        ck_assert(ratio[i] == (double)height / 100.0);
        for (int k = 0; k < NP; k++)
            ck_assert_uint_eq(reward[i * NP + k], 0); /* no receipts */
    }
    ck_assert_uint_eq(base_fee[n], 9999);
    /* The newest 5, oldest first. */
    ck_assert_uint_eq(proto_fee_tracker_query(h, 5, 1, base_fee, ratio, reward), 5);
    for (uint32_t i = 0; i < 5; i++)
        ck_assert_uint_eq(base_fee[i], 1000 + pushed - 5 + i);
    ck_assert_uint_eq(base_fee[5], 1);
    /* Pop on the full ring, then push: the oldest kept is unchanged. */
    proto_fee_tracker_pop(h);
    ck_assert_uint_eq(proto_fee_tracker_count(h), KEEP - 1);
    proto_fee_tracker_push(h, 5, 0, 100, NULL);
    ck_assert_uint_eq(proto_fee_tracker_count(h), KEEP);
    n = proto_fee_tracker_query(h, KEEP, 1, base_fee, ratio, reward);
    ck_assert_uint_eq(n, KEEP);
    ck_assert_uint_eq(base_fee[0], 1000 + pushed - KEEP);
    ck_assert_uint_eq(base_fee[KEEP - 2], 1000 + pushed - 2);
    ck_assert_uint_eq(base_fee[KEEP - 1], 5);
    proto_fee_tracker_free(h);
}
END_TEST

/* The history by hand for one block: receipts (gas, tip) (6000, 1),
 * (3000, 3) the proposer's, (1000, 5) and gas used 10000 of 40000; sorted
 * by tip the running gas is 6000, 9000, 10000 against thresholds 1000,
 * 2500, 5000, 7500, 9000: rewards 1 1 1 3 3 (the proposer's tip counts
 * in eth_feeHistory). A gas limit of 0 gives a ratio of 0. */
START_TEST(test_query_by_hand)
{
    full_chain c = {0};
    full_block *b = chain_add(&c, 800, 40000);
    add_tx(b, 1000, 5, false);
    add_tx(b, 6000, 1, false);
    add_tx(b, 3000, 3, true);
    proto_fee_params p = proto_fee_params_eip1559();
    proto_fee_tracker *h = proto_fee_tracker_new(&p, TIP_DEFAULT);
    push(h, b);
    proto_fee_tracker_push(h, 900, 0, 0, NULL);
    uint64_t base_fee[3];
    double ratio[2];
    uint64_t reward[2 * PROTO_FEE_TRACKER_PERCENTILE_COUNT];
    ck_assert_uint_eq(proto_fee_tracker_query(h, 2, 4242, base_fee, ratio, reward), 2);
    ck_assert_uint_eq(base_fee[0], 800);
    ck_assert_uint_eq(base_fee[1], 900);
    ck_assert_uint_eq(base_fee[2], 4242);
    ck_assert(ratio[0] == 0.25);
    ck_assert(ratio[1] == 0.0);
    const uint64_t want[PROTO_FEE_TRACKER_PERCENTILE_COUNT] = {1, 1, 1, 3, 3};
    for (int k = 0; k < PROTO_FEE_TRACKER_PERCENTILE_COUNT; k++) {
        ck_assert_uint_eq(reward[k], want[k]);
        ck_assert_uint_eq(reward[PROTO_FEE_TRACKER_PERCENTILE_COUNT + k], 0);
    }
    const uint32_t pct[] = {1000, 2500, 5000, 7500, 9000};
    ck_assert_mem_eq(PROTO_FEE_TRACKER_PERCENTILES, pct, sizeof pct);
    proto_fee_tracker_free(h);
    chain_clear(&c);
}
END_TEST

/* Over the long chain of busy blocks, the history of the newest n kept
 * blocks for several n equals proto_fee_history over those blocks' full
 * receipts (the next base fee is the caller's). */
START_TEST(test_query_matches_fee_history)
{
    full_chain c = {0};
    proto_fee_params p = proto_fee_params_eip1559();
    proto_fee_tracker *h = proto_fee_tracker_new(&p, TIP_DEFAULT);
    uint64_t rng = 12345;
    const uint32_t pushed = 90;
    for (uint32_t i = 0; i < pushed; i++) {
        add_busy_block(&c, i, &rng);
        push(h, &c.blocks[i]);
    }
    enum { KEEP = PROTO_FEE_TRACKER_KEEP, NP = PROTO_FEE_TRACKER_PERCENTILE_COUNT };
    const uint32_t sizes[] = {1, 5, 20, KEEP, KEEP + 1};
    for (size_t s = 0; s < G_N_ELEMENTS(sizes); s++) {
        uint64_t base_fee[KEEP + 2], want_base[KEEP + 2];
        double ratio[KEEP + 1], want_ratio[KEEP + 1];
        uint64_t reward[(KEEP + 1) * NP], want_reward[(KEEP + 1) * NP];
        uint32_t n = proto_fee_tracker_query(h, sizes[s], 31337, base_fee, ratio, reward);
        ck_assert_uint_eq(n, MIN(sizes[s], KEEP));
        proto_fee_block_record recs[KEEP];
        records_of(&c, pushed - n, n, recs);
        ck_assert_int_eq(proto_fee_history(&p, recs, n, PROTO_FEE_TRACKER_PERCENTILES, NP,
                                           want_base, want_ratio, want_reward),
                         PROTO_FEE_HISTORY_OK);
        for (uint32_t i = 0; i < n; i++) {
            ck_assert_uint_eq(base_fee[i], want_base[i]);
            ck_assert_msg(ratio[i] == want_ratio[i], "n %u block %u: ratio %g want %g", n, i,
                          ratio[i], want_ratio[i]);
            for (int k = 0; k < NP; k++)
                ck_assert_msg(reward[i * NP + k] == want_reward[i * NP + k],
                              "n %u block %u percentile %u: %" G_GUINT64_FORMAT
                              " want %" G_GUINT64_FORMAT,
                              n, i, PROTO_FEE_TRACKER_PERCENTILES[k], reward[i * NP + k],
                              want_reward[i * NP + k]);
        }
        ck_assert_uint_eq(base_fee[n], 31337);
    }
    proto_fee_tracker_free(h);
    chain_clear(&c);
}
END_TEST

static Suite *fee_tracker_suite(void)
{
    Suite *s = suite_create("fee_tracker");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_quote_without_blocks);
    tcase_add_test(tc, test_quote_ignores_proposer_and_zero);
    tcase_add_test(tc, test_quote_by_hand);
    tcase_add_test(tc, test_quote_reads_last_20_blocks);
    tcase_add_test(tc, test_quote_sparse_blocks_read_up_to_40);
    tcase_add_test(tc, test_quote_previous_answer_for_empty_blocks);
    tcase_add_test(tc, test_quote_matches_oracle_over_full_receipts);
    tcase_add_test(tc, test_quote_lowest_tips_last_in_block);
    tcase_add_test(tc, test_pop_restores_quote);
    tcase_add_test(tc, test_quote_cache);
    tcase_add_test(tc, test_ring_keeps_newest);
    tcase_add_test(tc, test_query_by_hand);
    tcase_add_test(tc, test_query_matches_fee_history);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(fee_tracker_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
