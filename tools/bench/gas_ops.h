/* gas_ops: the gas each operation of the agent market, the registry,
 * staking and distribution costs, measured by executing it.
 *
 * One fresh chain (accounts with real keys; the registry, jobs, staking
 * and distribution modules at genesis) runs every operation as one
 * signed transaction through the path a block takes: the envelope is
 * signed, encoded, decoded against the chain's rules and executed by
 * proto_tx_exec, whose receipt gives the gas used. Nothing is timed, so
 * the figures are exact and the same on every machine; the program
 * tools/bench/gas_per_op.c prints them and tests/unit/test_gas_per_op.c
 * pins them.
 *
 * A row splits the gas the receipt reports into what the transaction's
 * bytes cost (tx_size_cost_per_byte per encoded byte), its signature,
 * the ante handler's read and write of the sender's account, and the
 * rest, which is what the message charged for the state it touches. */
#ifndef AITBC_TOOLS_BENCH_GAS_OPS_H
#define AITBC_TOOLS_BENCH_GAS_OPS_H

#include <stddef.h>
#include <stdint.h>

typedef struct gas_op_row {
    const char *name;  /* the message type's name ("job_post", ...) */
    const char *group; /* "jobs", "disputes", "multisig", "registry", "staking",
                        * "distribution", "bank" */
    size_t wire_bytes; /* the encoded envelope */
    uint64_t total;    /* gas used, from the receipt */
    uint64_t size;     /* tx_size_cost_per_byte x wire_bytes */
    uint64_t signature;
    uint64_t account;  /* the ante handler's read and write of the sender's account */
    uint64_t state;    /* total - size - signature - account: the message's own charge */
} gas_op_row;

/* Rows gas_ops_measure fills: one per message type it runs (the five
 * dispute messages and the four multisig ones included; the exec row is
 * a transfer out of the multisig), one for a transaction batching a
 * job's confirmation with the next post, and two more execs: a guarded
 * job's release and an upgrade's plan. */
#define GAS_OPS_ROWS 32
#define GAS_OPS_CONFIRM_POST "job_confirm+job_post"
#define GAS_OPS_EXEC_SETTLE "multisig_exec:job_settle"
#define GAS_OPS_EXEC_UPGRADE "multisig_exec:upgrade"

/* Run every operation once on a fresh chain and fill rows[GAS_OPS_ROWS]
 * in a fixed order; returns the count. A transaction refused or a
 * message failing is a bug in the program: it aborts, naming it. */
size_t gas_ops_measure(gas_op_row *rows);

/* The row of the message type `name`, or NULL. */
const gas_op_row *gas_ops_find(const gas_op_row *rows, size_t count, const char *name);

/* A job disputed and settled at tier 1: post, accept, result, reject,
 * the provider's defence and the verifier's verdict, in total (what the
 * parties and the verifier pay together). */
uint64_t gas_ops_dispute_lifecycle(const gas_op_row *rows, size_t count);

/* A guarded job released by its 2-of-3 multisig: post, accept, result,
 * the two parties' approvals and the release, in total. */
uint64_t gas_ops_guarded_lifecycle(const gas_op_row *rows, size_t count);

/* A completed job's life: post, accept, result, confirm, in total. */
uint64_t gas_ops_job_lifecycle(const gas_op_row *rows, size_t count);

#endif
