/* Downtime accounting for validators (Cosmos SDK x/slashing semantics).
 *
 * Every validator has signing info: the height it started signing, a
 * sliding window of the last `window` blocks as a bit array of misses,
 * and the number of misses in it. After each block the consensus module
 * records, for every active validator, whether its vote is in the
 * block's canonical commit. A validator that misses more than
 * window - round(min_signed * window) of the last `window` blocks, once
 * it has been signing for longer than a window, is jailed (the caller
 * slashes it by the downtime fraction and removes it from the active set
 * until `jailed_until`); its window then starts over. A jailed validator
 * is not counted as missing (nothing is expected of it).
 *
 * Rules and rounding as in cosmos-sdk x/slashing keeper
 * (HandleValidatorSignature) and LegacyDec.RoundInt64 (half to even).
 * Integer only. */
#ifndef AITBC_PROTOCOL_DOWNTIME_H
#define AITBC_PROTOCOL_DOWNTIME_H

#include <stdbool.h>
#include <stdint.h>

typedef struct proto_downtime_params {
    uint32_t window;            /* SignedBlocksWindow, > 0 */
    uint64_t min_signed_num;    /* MinSignedPerWindow = num / den, <= 1 */
    uint64_t min_signed_den;
    int64_t jail_duration_ns;   /* DowntimeJailDuration */
} proto_downtime_params;

typedef struct proto_signing_info {
    uint64_t start_height;
    uint64_t index_offset;
    uint32_t missed_count;
    bool jailed;
    int64_t jailed_until_ns;
    uint8_t *missed;            /* window bits, (window + 7) / 8 bytes */
} proto_signing_info;

/* Cosmos defaults: window 100, min signed 1/2, jail 600 s. */
proto_downtime_params proto_downtime_defaults(void);
/* window - round_half_even(min_signed * window). */
uint32_t proto_downtime_max_missed(const proto_downtime_params *p);

void proto_signing_info_init(proto_signing_info *s, const proto_downtime_params *p,
                             uint64_t start_height);
void proto_signing_info_clear(proto_signing_info *s);

typedef enum proto_downtime_result {
    PROTO_DOWNTIME_OK = 0,
    PROTO_DOWNTIME_JAIL,        /* jail (and slash) now */
} proto_downtime_result;

/* Record one block at `height` (time `block_ns`): did the validator sign?
 * Returns PROTO_DOWNTIME_JAIL when this block makes it jailed. */
proto_downtime_result proto_signing_info_record(proto_signing_info *s,
                                                const proto_downtime_params *p, uint64_t height,
                                                int64_t block_ns, bool signed_block);
/* Unjail (MsgUnjail): only when jailed and the jail time is over; the
 * validator bonds again and its signing starts over at `height`. */
bool proto_signing_info_unjail(proto_signing_info *s, int64_t now_ns, uint64_t height);

#endif
