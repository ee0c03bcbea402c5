/* PBFT message decoders as predicates, for tests: each decodes, frees
 * what it got and returns whether it succeeded, asserting (Check) that a
 * failed decode left its outputs untouched, as pbft_msg.h promises. Plus
 * byte patching for hand-damaged messages. */
#ifndef AITBC_TEST_PBFT_TRY_H
#define AITBC_TEST_PBFT_TRY_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef bool (*pbft_try_fn)(GBytes *wire);

bool pbft_try_preprepare(GBytes *wire);
bool pbft_try_vote(GBytes *wire);
bool pbft_try_viewchange(GBytes *wire);
bool pbft_try_newview(GBytes *wire);
bool pbft_try_decided(GBytes *wire);
bool pbft_try_get_blocks(GBytes *wire);
bool pbft_try_blocks(GBytes *wire);
bool pbft_try_status(GBytes *wire);

/* A copy of wire with the little-endian u32 at `at` replaced. */
GBytes *pbft_try_patch_u32(GBytes *wire, gsize at, uint32_t value);
/* The little-endian u32 at `at`. */
uint32_t pbft_try_read_u32(GBytes *wire, gsize at);

#endif
