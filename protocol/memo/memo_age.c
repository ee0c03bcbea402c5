/* The chain memos' eviction rule (memo_age.h). */
#include "protocol/memo/memo_age.h"

static const proto_memo_age *age_at(const void *entries, guint i, size_t stride, size_t offset)
{
    return (const proto_memo_age *)((const uint8_t *)entries + (size_t)i * stride + offset);
}

bool proto_memo_age_victim(const void *entries, guint count, size_t stride, size_t offset,
                           uint64_t height, guint *victim)
{
    g_assert(count > 0);
    guint v = 0;
    for (guint i = 1; i < count; i++) {
        const proto_memo_age *e = age_at(entries, i, stride, offset);
        const proto_memo_age *best = age_at(entries, v, stride, offset);
        if (e->height < best->height || (e->height == best->height && e->inserted < best->inserted))
            v = i;
    }
    *victim = v;
    return height >= age_at(entries, v, stride, offset)->height;
}
