/* Unit tests for the supply invariant (sim/check/conservation.c).
 *
 * A state that only moved tokens holds the genesis supply and passes; a
 * state that minted (an account appearing with a balance, tokens burned
 * without leaving the bonded set) fails, and the check reports what the
 * state holds so the run can say by how much. A whole PBFT world checks
 * one state per final height. */
#include <check.h>

#include "protocol/chain/state.h"
#include "protocol/core/crypto.h"
#include "sim/check/conservation.h"
#include "sim/world/world_internal.h"
#include "support/world_fixture.h"

static proto_state *genesis_of(uint32_t accounts)
{
    proto_state *s = proto_state_new();
    for (uint32_t i = 0; i < accounts; i++) {
        proto_keypair kp;
        uint8_t seed[32] = {(uint8_t)i, 7};
        proto_keypair_from_seed(&kp, seed);
        proto_state_add_account(s, &kp.pk, 1000 + i);
    }
    return s;
}

START_TEST(test_genesis_and_copies_hold)
{
    proto_state *g = genesis_of(5);
    sim_conservation c;
    sim_conservation_init(&c, g);
    ck_assert_uint_eq(c.genesis_supply, 5 * 1000 + 0 + 1 + 2 + 3 + 4);
    uint64_t supply = 0;
    ck_assert(sim_conservation_check(&c, g, &supply));
    ck_assert_uint_eq(supply, c.genesis_supply);
    proto_state *copy = proto_state_copy(g);
    ck_assert(sim_conservation_check(&c, copy, &supply));
    ck_assert_uint_eq(c.heights_checked, 2);
    proto_state_free(copy);
    proto_state_free(g);
}
END_TEST

START_TEST(test_minting_is_caught)
{
    proto_state *g = genesis_of(3);
    sim_conservation c;
    sim_conservation_init(&c, g);
    proto_state *minted = proto_state_copy(g);
    proto_keypair kp;
    uint8_t seed[32] = {99};
    proto_keypair_from_seed(&kp, seed);
    proto_state_add_account(minted, &kp.pk, 42);
    uint64_t supply = 0;
    ck_assert(!sim_conservation_check(&c, minted, &supply));
    ck_assert_uint_eq(supply, c.genesis_supply + 42);

    /* Burned tokens must come out of somewhere: burning alone mints. */
    proto_state *burned = proto_state_copy(g);
    proto_state_burn(burned, 5, NULL);
    ck_assert(!sim_conservation_check(&c, burned, &supply));
    ck_assert_uint_eq(supply, c.genesis_supply + 5);
    proto_state_free(burned);
    proto_state_free(minted);
    proto_state_free(g);
}
END_TEST

/* A 20 s world of 4 validators and a full node under `protocol` checks
 * one state per height, heights 1 .. the highest final one (PBFT: the
 * state finalized at it; PoA: the head state of its first finalizer). */
static void assert_world_checks_every_height(const char *protocol, uint64_t seed)
{
    g_autofree char *text =
        g_strdup_printf("[scenario]\nseed = %" G_GUINT64_FORMAT "\nduration = 20s\n"
                        "[network]\nvalidators = 4\nfull_nodes = 1\ntopology = direct\n"
                        "latency = constant 20ms\n"
                        "[consensus]\nprotocol = %s\nblock_interval = 1s\ncrypto = fast\n"
                        "[workload]\ntx_rate = 100/s\naccounts = 50\n",
                        seed, protocol);
    sim_scenario *sc = NULL;
    sim_world *w = test_world_new("conservation.ini", text, &sc);
    ck_assert_int_eq(sim_world_run(w, NULL, NULL), SIM_STOP_DURATION);
    ck_assert_uint_ge(w->final_height_max, 10);
    const sim_conservation *c = sim_world_observer_find(w, &sim_conservation_observer_ops);
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(c->heights_checked, w->final_height_max);
    test_world_free(w, sc);
}

START_TEST(test_pbft_world_checks_every_height)
{
    assert_world_checks_every_height("pbft", 3);
}
END_TEST

START_TEST(test_poa_world_checks_every_height)
{
    assert_world_checks_every_height("poa", 5);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("conservation");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_genesis_and_copies_hold);
    tcase_add_test(tc, test_minting_is_caught);
    tcase_add_test(tc, test_pbft_world_checks_every_height);
    tcase_add_test(tc, test_poa_world_checks_every_height);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
