/* gas_per_op: the gas each operation costs, per message type, executed
 * for real (gas_ops.h: signed, encoded, decoded and run through
 * proto_tx_exec on a small chain), split into the transaction's bytes,
 * its signature, the ante handler's access to the sender's account and
 * the message's own state charge; then a completed job's life (post,
 * accept, result, confirm) in total.
 *
 * It measures gas, not time: no clock is read, and two runs print the
 * same table on any machine. The README's "Gas per operation" table is
 * this program's output; tests/unit/test_gas_per_op.c pins it.
 *
 * Usage: gas_per_op */
#include <inttypes.h>
#include <stdio.h>

#include "tools/bench/gas_ops.h"

int main(void)
{
    gas_op_row rows[GAS_OPS_ROWS];
    size_t count = gas_ops_measure(rows);
    printf("%-24s %-12s %5s %8s %7s %9s %7s %7s\n", "operation", "module", "bytes", "total",
           "size", "signature", "account", "state");
    for (size_t i = 0; i < count; i++) {
        const gas_op_row *r = &rows[i];
        printf("%-24s %-12s %5zu %8" PRIu64 " %7" PRIu64 " %9" PRIu64 " %7" PRIu64 " %7" PRIu64
               "\n",
               r->name, r->group, r->wire_bytes, r->total, r->size, r->signature, r->account,
               r->state);
    }
    printf("%-24s %-12s %5s %8" PRIu64 "\n", "job lifecycle", "jobs", "",
           gas_ops_job_lifecycle(rows, count));
    printf("%-24s %-12s %5s %8" PRIu64 "\n", "disputed at tier 1", "disputes", "",
           gas_ops_dispute_lifecycle(rows, count));
    printf("%-24s %-12s %5s %8" PRIu64 "\n", "guarded, released", "multisig", "",
           gas_ops_guarded_lifecycle(rows, count));
    return 0;
}
