/* Escrow v2 (jobs.h, "Versions"): the migration that brings the module
 * from version 1 to 2, the terms each job keeps, and what v2 terms burn
 * of a released job's fee. */
#include "protocol/core/codec.h"
#include "protocol/modules/jobs/jobs_internal.h"

/* v2: half of a released job's fee is burned, the rest paid to its
 * provider. */
#define TERMS2_FEE_BURN_PERMILLE 500u

bool proto_jobs__migrate(proto_state *s, const proto_msg_ctx *ctx, uint32_t from, uint32_t to)
{
    if (from != 1 || to != 2)
        return false; /* no other step exists */
    jobs_state *st = proto_jobs__mut(s, ctx->undo);
    g_assert(st->terms == 1); /* the stored version was 1: a migration runs once */
    for (guint k = 0; k < st->jobs->len; k++)
        g_assert(g_array_index(st->jobs, proto_job, k).terms == 1);
    st->terms = 2; /* live jobs keep terms 1: they finish as they were posted */
    st->fee_burn_permille = TERMS2_FEE_BURN_PERMILLE;
    return true;
}

static void put_u64(GByteArray *b, uint64_t x)
{
    uint8_t buf[8];
    proto_le_put_u64(buf, x);
    g_byte_array_append(b, buf, 8);
}

void proto_jobs__put_terms(GByteArray *b, const jobs_state *st)
{
    if (st->terms < 2)
        return; /* a v1 chain keeps the root it always had */
    put_u64(b, st->terms);
    put_u64(b, st->fee_burn_permille);
    for (guint k = 0; k < st->jobs->len; k++)
        put_u64(b, g_array_index(st->jobs, proto_job, k).terms);
}

uint64_t proto_jobs__fee_burned(const jobs_state *st, const proto_job *job)
{
    if (job->terms < 2)
        return 0;
    return job->fee * st->fee_burn_permille / 1000;
}

uint32_t proto_jobs_terms(const proto_state *s)
{
    const jobs_state *st = proto_jobs__get(s);
    return st != NULL ? st->terms : 0;
}
