/* Downtime accounting (see downtime.h). */
#include "protocol/chain/downtime.h"

#include <glib.h>
#include <string.h>

proto_downtime_params proto_downtime_defaults(void)
{
    return (proto_downtime_params){.window = 100,
                                   .min_signed_num = 1,
                                   .min_signed_den = 2,
                                   .jail_duration_ns = 600LL * 1000 * 1000 * 1000};
}

/* round(num * window / den), halves to even, in exact integers. */
static uint64_t round_half_even(uint64_t num, uint64_t window, uint64_t den)
{
    unsigned __int128 x = (unsigned __int128)num * window;
    uint64_t q = (uint64_t)(x / den);
    unsigned __int128 r2 = (x % den) * 2;
    if (r2 > den || (r2 == den && (q & 1) == 1))
        q++;
    return q;
}

uint32_t proto_downtime_max_missed(const proto_downtime_params *p)
{
    g_assert(p->window > 0 && p->min_signed_den > 0 && p->min_signed_num <= p->min_signed_den);
    uint64_t min_signed = round_half_even(p->min_signed_num, p->window, p->min_signed_den);
    return p->window - (uint32_t)min_signed;
}

void proto_signing_info_init(proto_signing_info *s, const proto_downtime_params *p,
                             uint64_t start_height)
{
    memset(s, 0, sizeof *s);
    s->start_height = start_height;
    s->missed = g_new0(uint8_t, (p->window + 7) / 8);
}

void proto_signing_info_clear(proto_signing_info *s)
{
    g_free(s->missed);
    s->missed = NULL;
}

static bool bit_get(const uint8_t *bits, uint32_t i)
{
    return (bits[i / 8] >> (i % 8)) & 1;
}

static void bit_set(uint8_t *bits, uint32_t i, bool v)
{
    if (v)
        bits[i / 8] |= (uint8_t)(1u << (i % 8));
    else
        bits[i / 8] &= (uint8_t)~(1u << (i % 8));
}

proto_downtime_result proto_signing_info_record(proto_signing_info *s,
                                                const proto_downtime_params *p, uint64_t height,
                                                int64_t block_ns, bool signed_block)
{
    uint32_t index = (uint32_t)(s->index_offset % p->window);
    s->index_offset++;
    bool missed = !signed_block && !s->jailed;
    bool was = bit_get(s->missed, index);
    if (missed && !was) {
        bit_set(s->missed, index, true);
        s->missed_count++;
    } else if (!missed && was) {
        bit_set(s->missed, index, false);
        s->missed_count--;
    }
    uint64_t min_height = s->start_height + p->window;
    if (height > min_height && s->missed_count > proto_downtime_max_missed(p) && !s->jailed) {
        s->jailed = true;
        /* Saturated: INT64_MAX already means "forever". */
        g_assert(p->jail_duration_ns >= 0);
        s->jailed_until_ns =
            block_ns > INT64_MAX - p->jail_duration_ns ? INT64_MAX : block_ns + p->jail_duration_ns;
        s->missed_count = 0;
        s->index_offset = 0;
        memset(s->missed, 0, (p->window + 7) / 8);
        return PROTO_DOWNTIME_JAIL;
    }
    return PROTO_DOWNTIME_OK;
}

bool proto_signing_info_unjail(proto_signing_info *s, int64_t now_ns, uint64_t height)
{
    if (!s->jailed || now_ns < s->jailed_until_ns)
        return false;
    s->jailed = false;
    s->start_height = height; /* AfterValidatorBonded resets StartHeight */
    return true;
}
