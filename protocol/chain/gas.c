/* Gas schedules and the refund-less gas meter (gas.h).
 *
 * Sources of the numbers: cosmos/cosmos-sdk store/types/gas.go
 * (KVGasConfig) and x/auth/types/params.go (DefaultTxSizeCostPerByte,
 * DefaultSigVerifyCostED25519, DefaultSigVerifyCostSecp256k1). */
#include "protocol/chain/gas.h"

#include <glib.h>

proto_gas_schedule proto_gas_schedule_cosmos(void)
{
    return (proto_gas_schedule){
        .has_cost = 1000,
        .delete_cost = 1000,
        .read_cost_flat = 1000,
        .read_cost_per_byte = 3,
        .write_cost_flat = 2000,
        .write_cost_per_byte = 30,
        .iter_next_cost_flat = 30,
        .tx_size_cost_per_byte = 10,
        .sig_verify_cost = 1000,
    };
}

proto_gas_schedule proto_gas_schedule_default(void)
{
    proto_gas_schedule s = proto_gas_schedule_cosmos();
    s.sig_verify_cost = 590;
    return s;
}

const char *proto_gas_result_name(proto_gas_result r)
{
    switch (r) {
    case PROTO_GAS_OK:
        return "ok";
    case PROTO_GAS_OUT_OF_GAS:
        return "out_of_gas";
    }
    return "unknown";
}

void proto_gas_meter_init(proto_gas_meter *m, uint64_t limit)
{
    m->limit = limit;
    m->consumed = 0;
    m->ran_out = false;
}

uint64_t proto_gas_meter_remaining(const proto_gas_meter *m)
{
    g_assert(m->consumed <= m->limit);
    return m->limit - m->consumed;
}

bool proto_gas_meter_exhausted(const proto_gas_meter *m)
{
    return proto_gas_meter_remaining(m) == 0;
}

/* Compares with what remains rather than adding first, so there is no
 * intermediate sum to overflow. */
proto_gas_result proto_gas_consume(proto_gas_meter *m, uint64_t amount)
{
    if (amount > proto_gas_meter_remaining(m)) {
        m->consumed = m->limit;
        m->ran_out = true;
        return PROTO_GAS_OUT_OF_GAS;
    }
    m->consumed += amount;
    return PROTO_GAS_OK;
}

uint64_t proto_gas_mul_sat(uint64_t a, uint64_t b)
{
    if (a != 0 && b > UINT64_MAX / a)
        return UINT64_MAX;
    return a * b;
}

uint64_t proto_gas_add_sat(uint64_t a, uint64_t b)
{
    return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

/* flat + per_byte * (key + value). The sizes may be lengths read off the
 * wire, so the sum and the product saturate rather than wrap. */
static uint64_t flat_plus_bytes(uint64_t flat, uint64_t per_byte, size_t key_size,
                                size_t value_size)
{
    uint64_t bytes = proto_gas_add_sat((uint64_t)key_size, (uint64_t)value_size);
    return proto_gas_add_sat(flat, proto_gas_mul_sat(per_byte, bytes));
}

uint64_t proto_gas_read_cost(const proto_gas_schedule *s, size_t key_size, size_t value_size)
{
    return flat_plus_bytes(s->read_cost_flat, s->read_cost_per_byte, key_size, value_size);
}

uint64_t proto_gas_write_cost(const proto_gas_schedule *s, size_t key_size, size_t value_size)
{
    return flat_plus_bytes(s->write_cost_flat, s->write_cost_per_byte, key_size, value_size);
}

uint64_t proto_gas_read_write_cost(const proto_gas_schedule *s, size_t key_size,
                                   size_t value_size)
{
    return proto_gas_add_sat(proto_gas_read_cost(s, key_size, value_size),
                             proto_gas_write_cost(s, key_size, value_size));
}

uint64_t proto_gas_iter_step_cost(const proto_gas_schedule *s, size_t key_size,
                                  size_t value_size)
{
    return flat_plus_bytes(s->iter_next_cost_flat, s->read_cost_per_byte, key_size, value_size);
}

uint64_t proto_gas_intrinsic(const proto_gas_schedule *s, size_t tx_size, uint32_t signatures)
{
    return proto_gas_add_sat(proto_gas_mul_sat(s->tx_size_cost_per_byte, (uint64_t)tx_size),
                             proto_gas_mul_sat(s->sig_verify_cost, signatures));
}

proto_gas_result proto_gas_charge_has(proto_gas_meter *m, const proto_gas_schedule *s)
{
    return proto_gas_consume(m, s->has_cost);
}

proto_gas_result proto_gas_charge_read(proto_gas_meter *m, const proto_gas_schedule *s,
                                       size_t key_size, size_t value_size)
{
    return proto_gas_consume(m, proto_gas_read_cost(s, key_size, value_size));
}

proto_gas_result proto_gas_charge_write(proto_gas_meter *m, const proto_gas_schedule *s,
                                        size_t key_size, size_t value_size)
{
    return proto_gas_consume(m, proto_gas_write_cost(s, key_size, value_size));
}

proto_gas_result proto_gas_charge_delete(proto_gas_meter *m, const proto_gas_schedule *s)
{
    return proto_gas_consume(m, s->delete_cost);
}

proto_gas_result proto_gas_charge_iter_step(proto_gas_meter *m, const proto_gas_schedule *s,
                                            size_t key_size, size_t value_size)
{
    return proto_gas_consume(m, proto_gas_iter_step_cost(s, key_size, value_size));
}

proto_gas_result proto_gas_charge_intrinsic(proto_gas_meter *m, const proto_gas_schedule *s,
                                            size_t tx_size, uint32_t signatures)
{
    return proto_gas_consume(m, proto_gas_intrinsic(s, tx_size, signatures));
}
