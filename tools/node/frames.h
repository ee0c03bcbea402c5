/* The testbed link's wire format: length-prefixed frames over a byte
 * stream, and the hello that opens every connection.
 *
 * A frame is a 4-byte little-endian payload length followed by that many
 * bytes. A length of 0 or above the reader's limit is refused as soon as
 * the header arrives, so a hostile or broken peer can make us buffer at
 * most one header and one allowed frame. A stream that ends inside a
 * frame is truncated. Whoever reads a connection drops it at the first
 * bad frame: after that, where the next frame starts is unknown.
 *
 * The first frame a dialer sends is its hello (TB_HELLO_BYTES: magic,
 * version, chain id, the sender's node index); every later frame is one
 * protocol message, handed to the node as received bytes. A hello naming
 * TB_HELLO_CLIENT opens a client connection instead (the testbed
 * driver's workload, tools/cli/testbed_workload.c): each of its frames is
 * one signed transaction (PROTO_MSG_TX wire) for the node's submit_tx,
 * as a wallet's RPC call would hand it over. The hello is
 * not authenticated: on loopback the address book is trusted, as the
 * simulator trusts its network's `from`. */
#ifndef AITBC_TOOLS_NODE_FRAMES_H
#define AITBC_TOOLS_NODE_FRAMES_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TB_FRAME_HEADER_BYTES 4u
/* The default limit: a BLOCKS response of 32 full blocks of 5000
 * transfers is about 25 MiB. */
#define TB_FRAME_MAX_DEFAULT (32u * 1024 * 1024)

typedef enum tb_frame_result {
    TB_FRAME_OK = 0,       /* *out holds the next payload */
    TB_FRAME_NEED_MORE,    /* no whole frame buffered yet */
    TB_FRAME_EMPTY,        /* a header announcing 0 bytes: garbage */
    TB_FRAME_OVERSIZED,    /* a header announcing more than the limit */
} tb_frame_result;

const char *tb_frame_result_name(tb_frame_result r);

/* Incremental reader for one connection. After EMPTY or OVERSIZED it
 * returns the same again: the connection must be dropped. */
typedef struct tb_frame_reader {
    GByteArray *buf;       /* bytes received and not yet consumed, from `start` */
    size_t start;
    uint32_t frame_max;    /* > 0 */
    tb_frame_result failed;/* TB_FRAME_OK until a bad header */
} tb_frame_reader;

void tb_frame_reader_init(tb_frame_reader *r, uint32_t frame_max);
void tb_frame_reader_clear(tb_frame_reader *r);
void tb_frame_reader_feed(tb_frame_reader *r, const void *data, size_t size);
/* OK: *out is a new reference to the payload. */
tb_frame_result tb_frame_reader_next(tb_frame_reader *r, GBytes **out);
/* Bytes buffered that do not make a whole frame: at the end of the
 * stream, > 0 means the last frame was truncated. */
size_t tb_frame_reader_pending(const tb_frame_reader *r);

/* Append one frame holding payload (1 .. frame limit bytes) to out. */
void tb_frame_append(GByteArray *out, const void *payload, size_t size);

/* ---- the hello ---- */

#define TB_HELLO_MAGIC 0x4e425441u /* "ATBN" little-endian */
#define TB_HELLO_VERSION 1u
#define TB_HELLO_BYTES 18u          /* magic u32, version u16, chain id u64, node u32 */

/* The node index a client's hello names: not a node of any chain. */
#define TB_HELLO_CLIENT UINT32_MAX

typedef struct tb_hello {
    uint64_t chain_id;
    uint32_t node;
} tb_hello;

void tb_hello_encode(const tb_hello *h, uint8_t out[TB_HELLO_BYTES]);
/* False (h untouched) unless payload is exactly a hello of this version. */
bool tb_hello_decode(GBytes *payload, tb_hello *h);

#endif
