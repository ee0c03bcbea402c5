/* The record tables: for each kind of record a run keeps (blocks,
 * commits, slashings, ...), one static table of its fields, which the
 * database, report.json, the summary and the plots iterate or pick from
 * by name instead of spelling the fields out each. Adding a column to an
 * output is one line in its table (and a row in docs/scenarios.md, which
 * tests/unit/test_docs_keys.c asks for).
 *
 * A table is what the outputs call a table: "blocks" and "propagation"
 * are two tables over the same sim_block_record array, and a field's
 * name is its column name in every output ("view" is the record's slot,
 * "first_commit_ns" its first_final_ns). A field is read through its
 * offset in the record and its kind, which fixes the C type it is stored
 * as (the REP_FIELD macro refuses, at compile time, a member of another
 * size) and how an absent value looks (a negative time, a NULL string, a
 * non-finite real, or a `present` test that fails). What a value looks
 * like (a node's name, hex, seconds) is each writer's business: this file
 * only says what the value is.
 *
 * These tables live in reports/ rather than next to the records in
 * sim/figures/ because everything they add to the records is
 * presentation: column names, which outputs show a field, which tables a
 * record array appears as, and the [expect] results of the run info. */
#ifndef AITBC_REPORTS_RECORD_FIELDS_H
#define AITBC_REPORTS_RECORD_FIELDS_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/crypto.h"
#include "reports/run_info.h"
#include "sim/figures/metrics.h"

/* What a field holds, and so how it is stored in the record. */
typedef enum rep_field_kind {
    REP_FIELD_U64,     /* uint64_t: a height, a count, an amount */
    REP_FIELD_U32,     /* uint32_t: a count */
    REP_FIELD_I64,     /* int64_t, always present (a delay) */
    REP_FIELD_TIME,    /* int64_t virtual time or delay in ns; negative: absent */
    REP_FIELD_REAL,    /* double; not finite: absent */
    REP_FIELD_TEXT,    /* char * or const char *; NULL: absent */
    REP_FIELD_NODE,    /* uint32_t node index; writers show the node's name */
    REP_FIELD_HASH,    /* proto_hash; writers show lowercase hex */
    REP_FIELD_GBOOL,   /* gboolean */
    REP_FIELD_AGENT,   /* uint32_t agent index; SIM_AGENT_NONE: absent; writers show a17 */
} rep_field_kind;

/* Which outputs show a field (every one unless its table says otherwise). */
enum {
    REP_OUT_DB = 1 << 0,   /* a column of results.sqlite */
    REP_OUT_JSON = 1 << 1, /* a key of the table's objects in report.json */
    REP_OUT_ALL = REP_OUT_DB | REP_OUT_JSON,
};

typedef struct rep_field {
    const char *name;      /* column name in every output, unit last */
    rep_field_kind kind;
    const char *unit;      /* "ns", "tokens", "bytes", ...; "" for none */
    size_t offset;         /* of the member in the record */
    unsigned outputs;      /* REP_OUT_* */
    /* NULL, or whether the field holds a value in this record (peers: the
     * mesh columns of a node that ran no p2p node are absent). */
    bool (*present)(const void *row);
} rep_field;

typedef struct rep_record_table {
    const char *name;      /* "blocks": the database table and the JSON key */
    const char *row_name;  /* one record, for error messages: "block" */
    size_t row_size;       /* the record's size, the rows array's element size */
    bool rows_in_info;     /* the rows are in rep_run_info, not sim_metrics */
    size_t rows_offset;    /* of the GArray * in sim_metrics (or rep_run_info) */
    const rep_field *fields;
    size_t fields_count;
} rep_record_table;

/* One field's value in one record. */
typedef struct rep_field_value {
    rep_field_kind kind;
    bool absent;           /* unknown or not applicable: NULL / null / "-" */
    union {
        uint64_t u64;      /* U64, U32 */
        int64_t i64;       /* I64, TIME */
        double real;
        const char *text;
        uint32_t node;
        const proto_hash *hash;
        gboolean flag;
        uint32_t agent;
    };
} rep_field_value;

/* Sizes of what each kind is stored as, for REP_FIELD's check. */
#define REP_FIELD_SIZE_U64 sizeof(uint64_t)
#define REP_FIELD_SIZE_U32 sizeof(uint32_t)
#define REP_FIELD_SIZE_I64 sizeof(int64_t)
#define REP_FIELD_SIZE_TIME sizeof(int64_t)
#define REP_FIELD_SIZE_REAL sizeof(double)
#define REP_FIELD_SIZE_TEXT sizeof(char *)
#define REP_FIELD_SIZE_NODE sizeof(uint32_t)
#define REP_FIELD_SIZE_HASH sizeof(proto_hash)
#define REP_FIELD_SIZE_GBOOL sizeof(gboolean)
#define REP_FIELD_SIZE_AGENT sizeof(uint32_t)

/* offsetof(rec, member), failing to compile if the member is not the
 * size its kind is stored as. */
#define REP_FIELD_OFFSET(rec, member, kind)                                                 \
    (offsetof(rec, member) +                                                                \
     0 * sizeof(char[sizeof(((rec *)0)->member) == REP_FIELD_SIZE_##kind ? 1 : -1]))

/* One field: REP_FIELD(sim_commit_record, committed_ns, "committed_ns", TIME, "ns"). */
#define REP_FIELD(rec, member, name, kind, unit)                                            \
    { name, REP_FIELD_##kind, unit, REP_FIELD_OFFSET(rec, member, kind), REP_OUT_ALL, NULL }

/* Every table, in the order results.sqlite creates them (after runs);
 * *count gets their number. */
const rep_record_table *const *rep_record_tables(size_t *count);
/* A table by name, or NULL. */
const rep_record_table *rep_record_table_find(const char *name);
/* A field of `t` by name, or NULL. */
const rep_field *rep_record_field_find(const rep_record_table *t, const char *name);

/* The rows of `t` in this run (info is needed only for a table whose rows
 * are in it: expectations). */
const GArray *rep_record_rows(const rep_record_table *t, const rep_run_info *info,
                              const sim_metrics *m);
/* Row i of rows (a table's rows array). */
const void *rep_record_row(const GArray *rows, guint i);

/* A field's value in a record of its table. */
rep_field_value rep_field_get(const rep_field *f, const void *row);
/* The value of field `name` of `t` (which must have it) in a record. */
rep_field_value rep_record_get(const rep_record_table *t, const void *row, const char *name);

/* A node's name as the run info knows it, else "#INDEX" (in buf). */
const char *rep_node_label(const rep_run_info *info, uint32_t node, char buf[16]);
/* An agent's name as scenario files write it: "a17" (in buf). */
const char *rep_agent_label(uint32_t agent, char buf[16]);

#endif
