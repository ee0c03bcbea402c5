/* Validator operations: signing, wire format, rule checks (valop.h). */
#include "protocol/chain/valop.h"

#include <string.h>

#include "protocol/core/msgtype.h"

#define VALOP_DOMAIN "aitbc-valop"
#define VALOP_DOMAIN_SIZE (sizeof(VALOP_DOMAIN) - 1)
#define VALOP_SIGNING_SIZE (VALOP_DOMAIN_SIZE + 8 + PROTO_VALOP_WIRE_SIZE - PROTO_SIG_SIZE)

static void signing_hash(const proto_valop *op, uint64_t chain_id, proto_hash *out)
{
    uint8_t buf[VALOP_SIGNING_SIZE];
    uint8_t *p = buf;
    memcpy(p, VALOP_DOMAIN, VALOP_DOMAIN_SIZE);
    p += VALOP_DOMAIN_SIZE;
    proto_le_put_u64(p, chain_id);
    p += 8;
    *p++ = op->kind;
    proto_le_put_u32(p, op->validator);
    p += 4;
    proto_le_put_u64(p, op->nonce);
    p += 8;
    memcpy(p, op->new_key.bytes, PROTO_PUBKEY_SIZE);
    p += PROTO_PUBKEY_SIZE;
    g_assert(p == buf + sizeof buf);
    proto_hash_bytes(out, buf, sizeof buf);
}

void proto_valop_sign(proto_valop *op, uint64_t chain_id, proto_crypto *c,
                      const proto_keypair *kp)
{
    proto_hash h;
    signing_hash(op, chain_id, &h);
    proto_sign(c, &op->sig, h.bytes, sizeof h.bytes, kp);
}

bool proto_valop_verify(const proto_valop *op, uint64_t chain_id, proto_crypto *c,
                        const proto_pubkey *pk)
{
    proto_hash h;
    signing_hash(op, chain_id, &h);
    return proto_verify(c, &op->sig, h.bytes, sizeof h.bytes, pk);
}

void proto_valop_encode(const proto_valop *op, proto_writer *w)
{
    proto_write_u8(w, op->kind);
    proto_write_u32(w, op->validator);
    proto_write_u64(w, op->nonce);
    proto_write_raw(w, op->new_key.bytes, PROTO_PUBKEY_SIZE);
    proto_write_raw(w, op->sig.bytes, PROTO_SIG_SIZE);
}

void proto_valop_decode(proto_reader *r, proto_valop *out)
{
    memset(out, 0, sizeof *out);
    out->kind = proto_read_u8(r);
    out->validator = proto_read_u32(r);
    out->nonce = proto_read_u64(r);
    proto_read_raw(r, out->new_key.bytes, PROTO_PUBKEY_SIZE);
    proto_read_raw(r, out->sig.bytes, PROTO_SIG_SIZE);
    /* UNJAIL carries no key; ROTATE_KEY carries a non-zero one. */
    bool known = out->kind == PROTO_VALOP_UNJAIL || out->kind == PROTO_VALOP_ROTATE_KEY;
    if (!known || (out->kind == PROTO_VALOP_UNJAIL) != proto_pubkey_is_zero(&out->new_key))
        r->failed = true;
}

GBytes *proto_valop_msg_encode(const proto_valop *op)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, PROTO_MSG_VALOP);
    proto_valop_encode(op, &w);
    return proto_writer_steal(&w);
}

bool proto_valop_msg_decode(GBytes *wire, proto_valop *out)
{
    gsize size;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    proto_reader r;
    proto_reader_init(&r, data, size);
    if (proto_read_u8(&r) != PROTO_MSG_VALOP)
        return false;
    proto_valop_decode(&r, out);
    return proto_reader_finish(&r);
}

proto_valset_check proto_valop_check(const proto_valop *op, const proto_valset *v,
                                     uint64_t height, int64_t now_ns)
{
    if (op->kind == PROTO_VALOP_UNJAIL)
        return proto_valset_check_unjail(v, op->validator, op->nonce, now_ns);
    g_assert(op->kind == PROTO_VALOP_ROTATE_KEY);
    return proto_valset_check_rotate(v, op->validator, op->nonce, &op->new_key, height);
}
