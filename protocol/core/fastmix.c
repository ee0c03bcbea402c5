/* Fast non-cryptographic keyed digest (see fastmix.h). */
#include "protocol/core/fastmix.h"

#include <glib.h>
#include <string.h>

#define FM_K1 UINT64_C(0x9e3779b97f4a7c15)
#define FM_K2 UINT64_C(0xc2b2ae3d27d4eb4f)
#define FM_K3 UINT64_C(0x165667b19e3779f9)

static inline uint64_t fm_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* splitmix64's finalizer: full avalanche of one word. */
static inline uint64_t fm_final(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

static inline uint64_t fm_load8(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v; /* little-endian on every host */
}

static inline uint64_t fm_load_tail(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

typedef struct fm_state {
    uint64_t a, b;
} fm_state;

static inline void fm_absorb(fm_state *s, const uint8_t *p, size_t size)
{
    size_t i = 0;
    /* Two independent lanes (so the CPU runs them side by side), each a
     * multiply-rotate chain over the words; the finalizer mixes them. */
    for (; i + 8 <= size; i += 8) {
        uint64_t w = fm_load8(p + i);
        s->a = fm_rotl((s->a ^ w) * FM_K1, 29);
        s->b = fm_rotl((s->b + w) * FM_K2, 31);
    }
    if (i < size) {
        uint64_t w = fm_load_tail(p + i, size - i) ^ ((uint64_t)(size - i) << 59);
        s->a = fm_rotl((s->a ^ w) * FM_K1, 29);
        s->b = fm_rotl((s->b + w) * FM_K2, 31);
    }
}

void proto_fastmix(uint8_t *out, size_t out_size, const void *key, size_t key_size,
                   const void *msg, size_t msg_size)
{
    g_assert(out_size % 8 == 0);
    fm_state s = {.a = FM_K3 ^ (uint64_t)key_size, .b = FM_K1 ^ ((uint64_t)msg_size << 1)};
    fm_absorb(&s, key, key_size);
    s.a = fm_final(s.a ^ FM_K2); /* separates key from message */
    fm_absorb(&s, msg, msg_size);
    uint64_t a = fm_final(s.a ^ fm_rotl(s.b, 17)), b = fm_final(s.b ^ (uint64_t)msg_size ^ s.a);
    for (size_t i = 0; i < out_size / 8; i++) {
        uint64_t w = fm_final(a + (uint64_t)(i + 1) * FM_K3) ^ fm_final(b ^ (uint64_t)i * FM_K1);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        w = __builtin_bswap64(w);
#endif
        memcpy(out + i * 8, &w, 8);
    }
}
