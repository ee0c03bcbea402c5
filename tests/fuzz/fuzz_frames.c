/* Fuzz harness for the testbed link's frame reader and hello
 * (tools/node/frames.h): the first input byte picks how the rest of the
 * input is cut into reads (a socket delivers a stream in arbitrary
 * pieces), the rest is the stream, read with a 64-byte frame limit.
 *
 * Checked: every frame handed out is exactly the payload its header
 * announced, at the place in the stream where it stood (1 .. limit
 * bytes); a refusal happens only at a header announcing 0 or more than
 * the limit, and then sticks; at the end, pending counts exactly the bytes
 * fed and not consumed; a hello is accepted only as exactly its own
 * encoding. Never a crash, never a read outside the input. */
#include "fuzz.h"

#include "tools/node/frames.h"

#define FUZZ_FRAME_MAX 64u

static uint32_t header_at(const uint8_t *s)
{
    return (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 | (uint32_t)s[3] << 24;
}

/* A payload the reader handed out: a hello must re-encode to itself. */
static void check_hello(GBytes *payload)
{
    tb_hello h;
    if (!tb_hello_decode(payload, &h))
        return;
    uint8_t again[TB_HELLO_BYTES];
    tb_hello_encode(&h, again);
    fuzz_check_same(g_bytes_new(again, sizeof again), g_bytes_get_data(payload, NULL),
                    g_bytes_get_size(payload), "frames: hello not canonical");
}

/* Take every whole frame buffered; returns false once the reader refused. */
static bool drain(tb_frame_reader *r, const uint8_t *stream, size_t fed, size_t *consumed)
{
    for (;;) {
        GBytes *payload = NULL;
        tb_frame_result res = tb_frame_reader_next(r, &payload);
        if (res == TB_FRAME_NEED_MORE) {
            fuzz_check(fed - *consumed < TB_FRAME_HEADER_BYTES ||
                           fed - *consumed < TB_FRAME_HEADER_BYTES + header_at(stream + *consumed),
                       "frames: a whole frame was left buffered");
            return true;
        }
        fuzz_check(fed - *consumed >= TB_FRAME_HEADER_BYTES, "frames: result before a header");
        uint32_t announced = header_at(stream + *consumed);
        if (res != TB_FRAME_OK) {
            fuzz_check(res == (announced == 0 ? TB_FRAME_EMPTY : TB_FRAME_OVERSIZED) &&
                           (announced == 0 || announced > FUZZ_FRAME_MAX),
                       "frames: refused a good header");
            fuzz_check(tb_frame_reader_next(r, &payload) == res, "frames: refusal did not stick");
            return false;
        }
        size_t size = g_bytes_get_size(payload);
        fuzz_check(size == announced && size >= 1 && size <= FUZZ_FRAME_MAX,
                   "frames: payload size is not the header's");
        fuzz_check(memcmp(g_bytes_get_data(payload, NULL),
                          stream + *consumed + TB_FRAME_HEADER_BYTES, size) == 0,
                   "frames: payload bytes moved");
        check_hello(payload);
        g_bytes_unref(payload);
        *consumed += TB_FRAME_HEADER_BYTES + size;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t cut = data[0];
    const uint8_t *stream = data + 1;
    size_t len = size - 1, fed = 0, consumed = 0;
    tb_frame_reader r;
    tb_frame_reader_init(&r, FUZZ_FRAME_MAX);
    bool alive = true;
    for (uint32_t k = 0; alive && fed < len; k++) {
        size_t piece = 1 + (size_t)((cut + k * 37u) % 23u);
        if (piece > len - fed)
            piece = len - fed;
        tb_frame_reader_feed(&r, stream + fed, piece);
        fed += piece;
        alive = drain(&r, stream, fed, &consumed);
    }
    if (alive)
        fuzz_check(tb_frame_reader_pending(&r) == fed - consumed, "frames: pending miscounted");
    tb_frame_reader_clear(&r);
    return 0;
}
