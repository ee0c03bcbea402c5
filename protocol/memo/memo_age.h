/* Which entry of a full height-keyed memo gives way to a newcomer.
 *
 * The chain memos (block_memo.h, exec_memo.h) keep a few heights, in
 * small arrays of their own entry type. Each entry carries a
 * proto_memo_age; the rule is one: the lowest height goes first, the
 * oldest insertion among equals, and a newcomer lower than that is not
 * kept at all (a node replaying old heights never pushes out the current
 * ones). */
#ifndef AITBC_PROTOCOL_MEMO_AGE_H
#define AITBC_PROTOCOL_MEMO_AGE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct proto_memo_age {
    uint64_t height;
    uint64_t inserted; /* insertion sequence: the tie-break */
} proto_memo_age;

/* `entries` holds `count` > 0 entries of `stride` bytes, each with its
 * proto_memo_age at byte `offset`. Sets *victim to the entry to evict;
 * false if a newcomer at `height` should not be kept instead. */
bool proto_memo_age_victim(const void *entries, guint count, size_t stride, size_t offset,
                           uint64_t height, guint *victim);

#endif
