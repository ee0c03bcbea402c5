/* Discrete-event scheduler: a radix heap on virtual time with FIFO buckets.
 *
 * Virtual time never goes backwards, so the queue only has to support keys
 * at or above the last key taken (`last`). Each queued event sits in the
 * bucket named by the highest 8-bit digit in which its time differs from
 * `last` (the level, 0..7) and by its own digit at that level. Every time
 * in a level-0 bucket is the same, so level 0 needs no search; a higher
 * bucket is split ("redistributed") into lower levels when it holds the
 * earliest events, after moving `last` up to the bucket's lower bound.
 * An event therefore moves at most once per level: two or three moves for
 * delays of milliseconds, instead of log2(N) for a binary radix heap or a
 * comparison heap. A bucket holding a single event is not split: that
 * event is the earliest and runs straight from there.
 *
 * Buckets are numbered level * 256 + digit, so bit `index` of a 2048-bit
 * map marks the non-empty ones in time order, and a 32-bit summary marks
 * its non-zero words: two count-trailing-zeros find the earliest bucket.
 * That index is also cached (`earliest`, lowered by inserts, recomputed
 * when its bucket empties), so taking the next event does not wait on the
 * mask updates of the event that just ran: this alone was worth about 10%
 * on the hold benchmark.
 *
 * Equal times run in insertion order without a sequence number: all events
 * with one time are always in the same bucket (the bucket is a function of
 * the time and `last` only), appends go to the back, and a redistribution
 * walks a bucket front to back into buckets that are empty (everything
 * below the earliest non-empty level is empty).
 *
 * A bucket keeps its oldest entry inline and the rest in a singly linked
 * list of 512-byte chunks taken from a free list, so one-event buckets
 * (the common case) cost no chunk, splitting a large bucket streams through
 * memory, and the footprint follows the number of pending events. An entry
 * is only (time, slot, generation), 16 bytes; the callback and its
 * arguments stay in the event's slot. With a million events pending the
 * slots do not fit in cache, so entries reaching level 0 (about to run)
 * prefetch theirs, and the big arrays ask for huge pages.
 *
 * Ids are (generation << 32) | (slot + 1). A slot's generation is odd while
 * its event is pending and even once it ran or was cancelled, so the id of
 * an event that ran or was cancelled never matches again (short of 2^31
 * reuses of one slot wrapping the 32-bit generation), and neither does an
 * id with an even generation or an unused slot. Cancelling only bumps the
 * generation: the entry
 * stays queued and is skipped when reached, and its slot is recycled only
 * then, so an entry's generation can never be matched by a later event of
 * the same slot. When cancelled entries outnumber live ones the queue is
 * compacted (amortised O(1) per cancel). */
/* For MADV_HUGEPAGE (Linux); without it the scheduler is only slower. */
#define _DEFAULT_SOURCE

#include "sim/engine/sched.h"

#include <glib.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define SCHED_DIGIT_BITS 8
#define SCHED_DIGITS (1u << SCHED_DIGIT_BITS)
#define SCHED_LEVELS 8 /* 8 levels x 8 bits cover every non-negative int64 */
#define SCHED_BUCKETS (SCHED_LEVELS * SCHED_DIGITS)
#define SCHED_MASK_WORDS (SCHED_BUCKETS / 64)
#define SCHED_CHUNK_ENTRIES 31     /* with the header, one chunk is 512 bytes */
#define SCHED_SLAB_CHUNKS_MIN 64   /* chunk slabs grow with the pool ... */
#define SCHED_SLAB_CHUNKS_MAX 4096 /* ... up to one 2 MiB huge page */
#define SCHED_HUGE_PAGE ((size_t)2 << 20)
/* Compact when at least this many cancelled entries are queued and they
 * outnumber the live ones. */
#define SCHED_STALE_COMPACT_MIN 4096

/* What the queue moves around: small, so splitting a bucket is cheap. */
typedef struct sched_entry {
    uint64_t at_ns;     /* event time; >= last */
    uint32_t slot;
    uint32_t gen;       /* odd; equals slot_gen[slot] unless cancelled */
} sched_entry;

/* What runs, stored once per slot. */
typedef struct sched_event {
    sim_event_fn fn;
    void *ctx;
    uint64_t a;
    uint64_t b;
} sched_event;

typedef struct sched_chunk {
    struct sched_chunk *next;
    uint32_t head;      /* entries [head, tail) are queued */
    uint32_t tail;
    sched_entry e[SCHED_CHUNK_ENTRIES];
} sched_chunk;

_Static_assert(sizeof(sched_chunk) == 512, "a chunk should be 8 cache lines");
_Static_assert(SCHED_MASK_WORDS == 32, "the summary mask is one 32-bit word");

typedef struct sched_bucket {
    sched_entry front;  /* the oldest entry; front.gen == 0 iff empty */
    sched_chunk *first; /* the entries after front, oldest first, or NULL */
    sched_chunk *last;
} sched_bucket;

struct sim_sched {
    int64_t now_ns;
    uint64_t last;                  /* every queued time >= last; last <= now */
    uint32_t word_mask;             /* bit w: bucket_mask[w] != 0 */
    unsigned earliest;              /* lowest non-empty bucket, or SCHED_BUCKETS */
    uint64_t bucket_mask[SCHED_MASK_WORDS]; /* bit i: bucket[i] non-empty */
    sched_bucket bucket[SCHED_BUCKETS];     /* [level * 256 + digit] */
    sched_chunk *chunk_free;        /* free list through next */
    GPtrArray *slabs;               /* chunk memory, freed at the end */
    size_t chunks_count;            /* chunks in all slabs */

    sched_event *slot_event;        /* [slots_cap] */
    uint32_t *slot_gen;             /* [slots_cap]; odd = pending */
    uint32_t *slot_free;            /* stack of recyclable slots */
    uint32_t slot_free_count;
    uint32_t slots_count;           /* slots ever used */
    uint32_t slots_cap;

    size_t pending_max;             /* soft: reaching it stops the run (see sched.h) */
    bool over_pending;              /* sticky: the pending bound was reached */
    size_t live;                    /* pending, not cancelled */
    size_t stale;                   /* cancelled but still queued */
    uint64_t executed;
    bool stop_requested;
    sim_event_id current;           /* id of the running event, 0 outside */
};

#define sched_check(s, cond, what)                                                          \
    do {                                                                                    \
        if (G_UNLIKELY(!(cond)))                                                            \
            g_error("sim_sched: %s (virtual time %" PRId64 " ns)", (what), (s)->now_ns);    \
    } while (0)

/* Arrays that may grow large ask for transparent huge pages: with a
 * million events pending, slots are touched at random and with 4 KiB pages
 * nearly every touch is a TLB miss (measured: half the throughput). Memory
 * from here is cache-line aligned and released with free(). */
static void *sched_big_alloc(size_t size)
{
    size_t align = 64;
    if (size >= SCHED_HUGE_PAGE) {
        align = SCHED_HUGE_PAGE;
        size = (size + SCHED_HUGE_PAGE - 1) & ~(SCHED_HUGE_PAGE - 1);
    }
    void *p = NULL;
    if (posix_memalign(&p, align, size) != 0)
        g_error("sim_sched: cannot allocate %zu bytes", size);
#ifdef MADV_HUGEPAGE
    if (align == SCHED_HUGE_PAGE)
        (void)madvise(p, size, MADV_HUGEPAGE); /* advice only: failure is fine */
#endif
    return p;
}

static void *sched_big_grow(void *old, size_t used_size, size_t new_size)
{
    void *p = sched_big_alloc(new_size);
    memcpy(p, old, used_size);
    free(old);
    return p;
}

const char *sim_run_result_name(sim_run_result r)
{
    switch (r) {
    case SIM_RUN_IDLE: return "idle";
    case SIM_RUN_TIME_LIMIT: return "time-limit";
    case SIM_RUN_EVENT_LIMIT: return "event-limit";
    case SIM_RUN_STOPPED: return "stopped";
    case SIM_RUN_PENDING_LIMIT: return "pending-limit";
    }
    return "unknown";
}

sim_sched *sim_sched_new(size_t pending_max)
{
    g_assert(pending_max > 0 && pending_max < UINT32_MAX / 8);
    sim_sched *s = g_new0(sim_sched, 1);
    s->pending_max = pending_max;
    s->earliest = SCHED_BUCKETS;
    s->slabs = g_ptr_array_new_with_free_func(free);
    s->slots_cap = 64;
    s->slot_event = sched_big_alloc(s->slots_cap * sizeof(sched_event));
    s->slot_gen = sched_big_alloc(s->slots_cap * sizeof(uint32_t));
    s->slot_free = g_new(uint32_t, s->slots_cap);
    return s;
}

void sim_sched_free(sim_sched *s)
{
    if (s == NULL)
        return;
    g_ptr_array_free(s->slabs, TRUE);
    free(s->slot_event);
    free(s->slot_gen);
    g_free(s->slot_free);
    g_free(s);
}

int64_t sim_sched_now(const sim_sched *s)
{
    return s->now_ns;
}

uint64_t sim_sched_executed(const sim_sched *s)
{
    return s->executed;
}

size_t sim_sched_pending(const sim_sched *s)
{
    return s->live;
}

static void queue_compact(sim_sched *s);

void sim_sched_idle_until(sim_sched *s, int64_t until_ns)
{
    sched_check(s, s->current == SIM_EVENT_NONE, "idle_until inside an event");
    if (s->live != 0 || until_ns <= s->now_ns)
        return;
    if (s->stale != 0)
        queue_compact(s);
    s->now_ns = until_ns;
    s->last = (uint64_t)until_ns;
}

size_t sim_sched_pending_max(const sim_sched *s)
{
    return s->pending_max;
}

void sim_sched_stop(sim_sched *s)
{
    s->stop_requested = true;
}

/* ---- buckets ------------------------------------------------------------ */

/* Add a slab of chunks to the free list; slabs double with the pool. */
static __attribute__((noinline)) void chunk_slab_add(sim_sched *s)
{
    size_t count = MIN(MAX(s->chunks_count, SCHED_SLAB_CHUNKS_MIN), SCHED_SLAB_CHUNKS_MAX);
    sched_chunk *chunks = sched_big_alloc(count * sizeof(sched_chunk));
    g_ptr_array_add(s->slabs, chunks);
    s->chunks_count += count;
    for (size_t i = count; i-- > 0;) {
        chunks[i].next = s->chunk_free;
        s->chunk_free = &chunks[i];
    }
}

static inline sched_chunk *chunk_take(sim_sched *s)
{
    if (G_UNLIKELY(s->chunk_free == NULL))
        chunk_slab_add(s);
    sched_chunk *c = s->chunk_free;
    s->chunk_free = c->next;
    c->next = NULL;
    c->head = 0;
    c->tail = 0;
    return c;
}

static inline void chunk_give(sim_sched *s, sched_chunk *c)
{
    c->next = s->chunk_free;
    s->chunk_free = c;
}

static inline void bucket_append(sim_sched *s, sched_bucket *b, const sched_entry *e)
{
    if (b->front.gen == 0) {
        b->front = *e;
        return;
    }
    sched_chunk *c = b->last;
    if (c == NULL || c->tail == SCHED_CHUNK_ENTRIES) {
        sched_chunk *fresh = chunk_take(s);
        if (c == NULL)
            b->first = fresh;
        else
            c->next = fresh;
        b->last = fresh;
        c = fresh;
    }
    c->e[c->tail++] = *e;
}

static inline void mask_set(sim_sched *s, unsigned index)
{
    s->bucket_mask[index / 64] |= UINT64_C(1) << (index % 64);
    s->word_mask |= 1u << (index / 64);
}

static inline void mask_clear(sim_sched *s, unsigned index)
{
    s->bucket_mask[index / 64] &= ~(UINT64_C(1) << (index % 64));
    s->word_mask &= ~((uint32_t)(s->bucket_mask[index / 64] == 0) << (index / 64));
}

/* The lowest non-empty bucket by the masks. `earliest` caches it, so the
 * next take need not wait for the masks that the events it ran updated. */
static inline unsigned mask_earliest(const sim_sched *s)
{
    if (s->word_mask == 0)
        return SCHED_BUCKETS;
    unsigned word = (unsigned)__builtin_ctz(s->word_mask);
    return word * 64 + (unsigned)__builtin_ctzll(s->bucket_mask[word]);
}

/* Put an entry in the bucket its time names relative to `last`; returns
 * the bucket. The caller keeps `earliest`. */
static inline unsigned queue_place(sim_sched *s, const sched_entry *e)
{
    unsigned top_bit = 63u - (unsigned)__builtin_clzll((e->at_ns ^ s->last) | 1);
    unsigned shift = top_bit & ~(SCHED_DIGIT_BITS - 1); /* level * 8 */
    unsigned digit = (unsigned)(e->at_ns >> shift) & (SCHED_DIGITS - 1);
    unsigned index = (shift << (SCHED_DIGIT_BITS - 3)) | digit; /* level * 256 + digit */
    bucket_append(s, &s->bucket[index], e);
    mask_set(s, index);
    if (shift == 0) {
        /* About to run: fetch the slot while there is time. */
        __builtin_prefetch(&s->slot_event[e->slot], 0, 2);
        __builtin_prefetch(&s->slot_gen[e->slot], 1, 2);
    }
    return index;
}

static inline void queue_push(sim_sched *s, const sched_entry *e)
{
    unsigned index = queue_place(s, e);
    if (index < s->earliest)
        s->earliest = index;
}

/* Remove the front entry of the earliest non-empty bucket, `index`. */
static inline void bucket_pop_earliest(sim_sched *s, unsigned index, sched_entry *out)
{
    sched_bucket *b = &s->bucket[index];
    *out = b->front;
    sched_chunk *c = b->first;
    if (c == NULL) {
        /* Emptied: its bit is the lowest set bit of its word, and if the
         * word empties, the lowest set bit of the summary. */
        b->front.gen = 0;
        uint64_t *word = &s->bucket_mask[index / 64];
        *word &= *word - 1;
        s->word_mask &= s->word_mask - (*word == 0); /* branch-free */
        s->earliest = mask_earliest(s);
        return;
    }
    b->front = c->e[c->head++];
    if (c->head == c->tail) {
        /* A chunk other than the last is full, so head == tail means it is
         * used up; for the last chunk it means nothing is left after front. */
        b->first = c->next;
        if (b->first == NULL)
            b->last = NULL;
        chunk_give(s, c);
    }
}

/* Empty a bucket and return what it held: *front and a chunk list. */
static inline sched_chunk *bucket_detach(sim_sched *s, unsigned index, sched_entry *front)
{
    sched_bucket *b = &s->bucket[index];
    sched_chunk *c = b->first;
    *front = b->front;
    b->front.gen = 0;
    b->first = b->last = NULL;
    mask_clear(s, index);
    s->earliest = mask_earliest(s);
    return c;
}

/* ---- slots -------------------------------------------------------------- */

static inline bool entry_is_stale(const sim_sched *s, const sched_entry *e)
{
    return s->stale != 0 && s->slot_gen[e->slot] != e->gen;
}

static inline void slot_recycle(sim_sched *s, uint32_t slot)
{
    s->slot_free[s->slot_free_count++] = slot;
}

static __attribute__((noinline)) void slots_grow(sim_sched *s)
{
    size_t used = s->slots_count;
    s->slots_cap *= 2;
    s->slot_event = sched_big_grow(s->slot_event, used * sizeof(sched_event),
                                   s->slots_cap * sizeof(sched_event));
    s->slot_gen = sched_big_grow(s->slot_gen, used * sizeof(uint32_t),
                                 s->slots_cap * sizeof(uint32_t));
    s->slot_free = g_renew(uint32_t, s->slot_free, s->slots_cap);
}

static inline uint32_t slot_take(sim_sched *s)
{
    if (G_LIKELY(s->slot_free_count > 0))
        return s->slot_free[--s->slot_free_count];
    if (s->slots_count == s->slots_cap)
        slots_grow(s);
    s->slot_gen[s->slots_count] = 0;
    return s->slots_count++;
}

/* A cancelled entry left the queue: its slot may now be reused. */
static inline void stale_drop(sim_sched *s, const sched_entry *e)
{
    s->stale--;
    slot_recycle(s, e->slot);
}

/* ---- scheduling and cancelling ------------------------------------------ */

/* Schedule at at_ns, which the caller checked is >= now. */
static inline sim_event_id sched_insert(sim_sched *s, int64_t at_ns, sim_event_fn fn, void *ctx,
                                        uint64_t a, uint64_t b)
{
    sched_check(s, fn != NULL, "event without a callback");
    if (G_UNLIKELY(s->live >= s->pending_max)) {
        /* An event storm: stop the run after the current event (the
         * caller reports it as a result, never a crash). What the current
         * event still schedules fits in the headroom up to the hard bound. */
        s->over_pending = true;
        sched_check(s, s->live < 2 * s->pending_max, "pending event bound exceeded twice over");
    }

    uint32_t slot = slot_take(s);
    uint32_t gen = ++s->slot_gen[slot]; /* even -> odd: pending */
    s->slot_event[slot] = (sched_event){fn, ctx, a, b};
    sched_entry e = {(uint64_t)at_ns, slot, gen};
    queue_push(s, &e);
    s->live++;
    return ((uint64_t)gen << 32) | ((uint64_t)slot + 1);
}

sim_event_id sim_sched_at(sim_sched *s, int64_t at_ns, sim_event_fn fn, void *ctx, uint64_t a,
                          uint64_t b)
{
    sched_check(s, at_ns >= s->now_ns, "event scheduled in the past");
    return sched_insert(s, at_ns, fn, ctx, a, b);
}

sim_event_id sim_sched_after(sim_sched *s, int64_t delay_ns, sim_event_fn fn, void *ctx,
                             uint64_t a, uint64_t b)
{
    sched_check(s, delay_ns >= 0 && delay_ns <= INT64_MAX - s->now_ns, "bad event delay");
    return sched_insert(s, s->now_ns + delay_ns, fn, ctx, a, b);
}

/* Rebuild one bucket without its cancelled entries, keeping order. Each
 * entry stays in its bucket since neither its time nor `last` changes. */
static void bucket_compact(sim_sched *s, unsigned index)
{
    sched_bucket *b = &s->bucket[index];
    sched_entry front;
    sched_chunk *c = bucket_detach(s, index, &front);
    if (entry_is_stale(s, &front))
        stale_drop(s, &front);
    else
        bucket_append(s, b, &front);
    while (c != NULL) {
        for (uint32_t i = c->head; i < c->tail; i++) {
            if (entry_is_stale(s, &c->e[i]))
                stale_drop(s, &c->e[i]);
            else
                bucket_append(s, b, &c->e[i]);
        }
        sched_chunk *next = c->next;
        chunk_give(s, c);
        c = next;
    }
    if (b->front.gen != 0)
        mask_set(s, index);
}

static void queue_compact(sim_sched *s)
{
    for (unsigned word = 0; word < SCHED_MASK_WORDS; word++) {
        /* A copy: compacting clears the bits of buckets that empty. */
        for (uint64_t bits = s->bucket_mask[word]; bits != 0; bits &= bits - 1)
            bucket_compact(s, word * 64 + (unsigned)__builtin_ctzll(bits));
    }
    s->earliest = mask_earliest(s);
    g_assert(s->stale == 0);
}

bool sim_sched_cancel(sim_sched *s, sim_event_id id)
{
    uint32_t slot_plus_one = (uint32_t)id;
    uint32_t gen = (uint32_t)(id >> 32);
    if (slot_plus_one == 0 || slot_plus_one > s->slots_count || (gen & 1) == 0)
        return false;
    uint32_t slot = slot_plus_one - 1;
    if (s->slot_gen[slot] != gen)
        return false;
    s->slot_gen[slot]++; /* odd -> even: the queued entry is now stale */
    s->live--;
    s->stale++;
    if (s->stale >= SCHED_STALE_COMPACT_MIN && s->stale > s->live)
        queue_compact(s);
    return true;
}

/* ---- taking the earliest event ------------------------------------------ */

typedef enum sched_take_result {
    SCHED_TAKE_EVENT,   /* *out is the earliest live event, time <= until */
    SCHED_TAKE_NONE,    /* no live event queued */
    SCHED_TAKE_LATER,   /* the earliest live event is later than until */
} sched_take_result;

/* Requeue one entry of a bucket being split; returns the lowest bucket
 * used so far. Every target is below the split bucket and thus below any
 * other non-empty bucket. */
static inline unsigned entry_requeue(sim_sched *s, const sched_entry *e, unsigned lowest)
{
    if (G_UNLIKELY(entry_is_stale(s, e))) {
        stale_drop(s, e);
        return lowest;
    }
    unsigned index = queue_place(s, e);
    return index < lowest ? index : lowest; /* branch-free: unpredictable */
}

/* Move every entry of bucket `index` into lower levels relative to the new
 * `last`, front to back, dropping cancelled ones. The lower levels are
 * empty, so order among equal times is kept. */
static void bucket_redistribute(sim_sched *s, unsigned index)
{
    sched_entry front;
    sched_chunk *c = bucket_detach(s, index, &front);
    unsigned lowest = entry_requeue(s, &front, s->earliest);
    while (c != NULL) {
        for (uint32_t i = c->head; i < c->tail; i++)
            lowest = entry_requeue(s, &c->e[i], lowest);
        sched_chunk *next = c->next;
        chunk_give(s, c);
        c = next;
    }
    s->earliest = lowest;
}

/* Lowest time bucket `index` (level >= 1) can hold: `last`'s digits above
 * the level, the bucket's digit, zeros below. */
static inline uint64_t bucket_floor(const sim_sched *s, unsigned index)
{
    unsigned shift = (index / SCHED_DIGITS) * SCHED_DIGIT_BITS;
    uint64_t digit = index % SCHED_DIGITS;
    uint64_t above = shift + SCHED_DIGIT_BITS >= 64
                         ? 0
                         : s->last & ~((UINT64_C(1) << (shift + SCHED_DIGIT_BITS)) - 1);
    return above | (digit << shift);
}

/* Never moves `last` past `until`, so events may still be scheduled at any
 * time >= now after a run stopped at its time limit. */
static sched_take_result queue_take(sim_sched *s, uint64_t until, sched_entry *out)
{
    for (;;) {
        if (G_UNLIKELY(s->live == 0)) {
            /* Empty the queue of cancelled entries so `last`, which a
             * redistribution may have moved past now, can return to now. */
            if (s->stale != 0)
                queue_compact(s);
            s->last = (uint64_t)s->now_ns;
            return SCHED_TAKE_NONE;
        }
        unsigned index = s->earliest;
        sched_check(s, index < SCHED_BUCKETS, "live events but no queued entry");
        const sched_bucket *b = &s->bucket[index];
        if (b->first == NULL || index < SCHED_DIGITS) {
            /* A lone entry is the earliest event, and so is the front of a
             * level-0 bucket (all its entries have the same time). */
            if (G_UNLIKELY(entry_is_stale(s, &b->front))) {
                bucket_pop_earliest(s, index, out);
                stale_drop(s, out);
                continue;
            }
            if (b->front.at_ns > until)
                return SCHED_TAKE_LATER;
            bucket_pop_earliest(s, index, out);
            s->last = out->at_ns;
            return SCHED_TAKE_EVENT;
        }
        uint64_t floor = bucket_floor(s, index);
        if (floor > until)
            return SCHED_TAKE_LATER;
        s->last = floor;
        bucket_redistribute(s, index);
    }
}

/* ---- running ------------------------------------------------------------ */

sim_run_result sim_sched_run(sim_sched *s, int64_t until_ns, uint64_t events_max)
{
    s->stop_requested = false;
    if (s->over_pending)
        return SIM_RUN_PENDING_LIMIT;
    if (until_ns < s->now_ns) /* nothing pending can be due; time never goes back */
        return s->live == 0 ? SIM_RUN_IDLE : SIM_RUN_TIME_LIMIT;

    for (uint64_t count = 0;; count++) {
        if (count >= events_max)
            return s->live == 0 ? SIM_RUN_IDLE : SIM_RUN_EVENT_LIMIT;
        sched_entry e;
        sched_take_result taken = queue_take(s, (uint64_t)until_ns, &e);
        if (taken == SCHED_TAKE_NONE)
            return SIM_RUN_IDLE;
        if (taken == SCHED_TAKE_LATER) {
            s->now_ns = until_ns;
            return SIM_RUN_TIME_LIMIT;
        }
        /* Retire the id before the callback, so the event cannot cancel
         * itself and its slot is free for whatever it schedules. */
        const sched_event *ev = &s->slot_event[e.slot];
        sim_event_fn fn = ev->fn;
        void *ctx = ev->ctx;
        uint64_t a = ev->a, b = ev->b;
        s->current = ((uint64_t)s->slot_gen[e.slot] << 32) | ((uint64_t)e.slot + 1);
        s->slot_gen[e.slot]++;
        slot_recycle(s, e.slot);
        s->live--;
        s->now_ns = (int64_t)e.at_ns;
        s->executed++;
        fn(ctx, a, b);
        s->current = SIM_EVENT_NONE;
        if (G_UNLIKELY(s->over_pending))
            return SIM_RUN_PENDING_LIMIT;
        if (s->stop_requested) {
            s->stop_requested = false;
            return SIM_RUN_STOPPED;
        }
    }
}

sim_event_id sim_sched_current(const sim_sched *s)
{
    return s->current;
}
