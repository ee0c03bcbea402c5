/* Gas: one schedule of prices and a meter that charges them.
 *
 * Every message a transaction carries is paid for in gas from one
 * schedule, modelled on the Cosmos SDK's store gas (store/types/gas.go,
 * KVGasConfig, and the x/auth parameters TxSizeCostPerByte and
 * SigVerifyCost*): a flat price per state access plus a price per byte of
 * key and value read or written, a price per byte of transaction and a
 * price per signature verified. Charges follow Cosmos's gas KV store
 * (store/gaskv/store.go) exactly:
 *
 *   has        has_cost
 *   read       read_cost_flat + read_cost_per_byte * (key + value bytes)
 *              (a miss reads a value of 0 bytes)
 *   write      write_cost_flat + write_cost_per_byte * (key + value bytes)
 *   delete     delete_cost
 *   iter step  read_cost_per_byte * (key + value bytes) + iter_next_cost_flat
 *   tx bytes   tx_size_cost_per_byte * encoded transaction bytes
 *   signature  sig_verify_cost per signature
 *
 * The meter is the Cosmos basic gas meter without refunds: a limit, the
 * gas consumed so far, and consume() that either takes the whole amount
 * or, when the amount exceeds what remains, pins consumed at the limit and
 * reports out of gas (the caller reverts the messages; the gas is still
 * paid). Consumed never exceeds the limit, so no sum can overflow, and
 * every price times a size saturates at UINT64_MAX instead of wrapping:
 * a hostile size can only run out of gas. An infinite meter is a meter
 * with limit UINT64_MAX.
 *
 * Plain values, no allocation: a meter lives on the caller's stack. */
#ifndef AITBC_PROTOCOL_GAS_H
#define AITBC_PROTOCOL_GAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Prices in gas. Read-only once built; shared by every node of a world. */
typedef struct proto_gas_schedule {
    uint64_t has_cost;              /* gas per existence check */
    uint64_t delete_cost;           /* gas per delete (charged although space is freed) */
    uint64_t read_cost_flat;        /* gas per read, hit or miss */
    uint64_t read_cost_per_byte;    /* gas per byte of key and value read */
    uint64_t write_cost_flat;       /* gas per write */
    uint64_t write_cost_per_byte;   /* gas per byte of key and value written */
    uint64_t iter_next_cost_flat;   /* gas per iterator step */
    uint64_t tx_size_cost_per_byte; /* gas per byte of the encoded transaction */
    uint64_t sig_verify_cost;       /* gas per signature verified */
} proto_gas_schedule;

/* Cosmos SDK defaults as shipped: KVGasConfig (has 1000, delete 1000, read
 * 1000 + 3/byte, write 2000 + 30/byte, iterator step 30), x/auth
 * TxSizeCostPerByte 10 and SigVerifyCostSecp256k1 1000 (the key type of a
 * default Cosmos account). */
proto_gas_schedule proto_gas_schedule_cosmos(void);
/* AITBC's default: Cosmos's store and transaction-size prices, and
 * Cosmos's price for an Ed25519 verification (SigVerifyCostED25519, 590),
 * the scheme AITBC signs with. Table in docs/architecture.md. */
proto_gas_schedule proto_gas_schedule_default(void);

typedef enum proto_gas_result {
    PROTO_GAS_OK = 0,
    PROTO_GAS_OUT_OF_GAS, /* the charge exceeded what remained; consumed == limit now */
} proto_gas_result;

const char *proto_gas_result_name(proto_gas_result r);

typedef struct proto_gas_meter {
    uint64_t limit;    /* gas the transaction bought */
    uint64_t consumed; /* gas used so far; invariant consumed <= limit */
    bool ran_out;      /* a charge asked for more than remained (sticky) */
} proto_gas_meter;

void proto_gas_meter_init(proto_gas_meter *m, uint64_t limit);
uint64_t proto_gas_meter_remaining(const proto_gas_meter *m);
/* True once a charge ran out of gas (or the limit was used exactly). */
bool proto_gas_meter_exhausted(const proto_gas_meter *m);

/* Take `amount`; if more than remains, consumed becomes the limit and the
 * result is PROTO_GAS_OUT_OF_GAS (Cosmos panics with ErrorOutOfGas here). */
proto_gas_result proto_gas_consume(proto_gas_meter *m, uint64_t amount);

/* a * b, or UINT64_MAX if that overflows. */
uint64_t proto_gas_mul_sat(uint64_t a, uint64_t b);
/* a + b, or UINT64_MAX if that overflows. */
uint64_t proto_gas_add_sat(uint64_t a, uint64_t b);

/* The prices of the table above (saturating), and the charges that
 * consume them. Sizes are in bytes. */
uint64_t proto_gas_read_cost(const proto_gas_schedule *s, size_t key_size, size_t value_size);
uint64_t proto_gas_write_cost(const proto_gas_schedule *s, size_t key_size, size_t value_size);
/* A read and a write of one record: what a message pays for a record
 * it changes. */
uint64_t proto_gas_read_write_cost(const proto_gas_schedule *s, size_t key_size,
                                   size_t value_size);
uint64_t proto_gas_iter_step_cost(const proto_gas_schedule *s, size_t key_size,
                                  size_t value_size);
/* What a transaction costs before any message runs: its bytes and its
 * signatures (Cosmos's ante handler charges the same two). */
uint64_t proto_gas_intrinsic(const proto_gas_schedule *s, size_t tx_size, uint32_t signatures);

proto_gas_result proto_gas_charge_has(proto_gas_meter *m, const proto_gas_schedule *s);
proto_gas_result proto_gas_charge_read(proto_gas_meter *m, const proto_gas_schedule *s,
                                       size_t key_size, size_t value_size);
proto_gas_result proto_gas_charge_write(proto_gas_meter *m, const proto_gas_schedule *s,
                                        size_t key_size, size_t value_size);
proto_gas_result proto_gas_charge_delete(proto_gas_meter *m, const proto_gas_schedule *s);
proto_gas_result proto_gas_charge_iter_step(proto_gas_meter *m, const proto_gas_schedule *s,
                                            size_t key_size, size_t value_size);
proto_gas_result proto_gas_charge_intrinsic(proto_gas_meter *m, const proto_gas_schedule *s,
                                            size_t tx_size, uint32_t signatures);

#endif
