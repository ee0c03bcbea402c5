/* Binary search over an array of records kept sorted by a uint32_t key
 * (node ids, validator indexes): the one lower bound that the peer
 * records, dials, bans, address book, certificate signatures and the
 * simulator's pending transactions all use. Inline: several of those are
 * on the message path. */
#ifndef AITBC_PROTOCOL_CORE_SORTED_H
#define AITBC_PROTOCOL_CORE_SORTED_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The first index in [0, count) whose record's key (the uint32_t at
 * key_offset in each record_size-byte record) is >= key; count if none. */
static inline uint32_t proto_lower_bound_u32(const void *records, uint32_t count,
                                             size_t record_size, size_t key_offset, uint32_t key)
{
    const unsigned char *base = records;
    uint32_t lo = 0, hi = count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        uint32_t k;
        memcpy(&k, base + (size_t)mid * record_size + key_offset, sizeof k);
        if (k < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

#endif
