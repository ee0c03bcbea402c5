/* aitbc-node's command line and address book.
 *
 *   aitbc-node --scenario FILE --node NAME --listen HOST:PORT
 *              --peers FILE|LIST --store PATH --records PATH
 *              [--seed N] [--set SECTION.KEY=VALUE]... [--genesis-ms UNIX_MS]
 *              [--frame-max BYTES] [--emulate-links]
 *
 * The peers are NAME=HOST:PORT pairs separated by commas or blanks, or a
 * file of lines "NAME HOST:PORT" (or NAME=HOST:PORT; '#' starts a
 * comment). Names are the scenario's ("v0", "n3"); the node's own entry
 * may be present and is skipped. An IPv6 address is written in brackets
 * ("[::1]:7000"). Every error is a sentence naming the option or the
 * file and line, for exit status 2. */
#ifndef AITBC_TOOLS_NODE_OPTIONS_H
#define AITBC_TOOLS_NODE_OPTIONS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/scenario/scenario.h"

typedef struct tb_options {
    char *scenario_path;
    char *node_name;
    char *listen;                /* as written */
    char *listen_host;
    uint16_t listen_port;
    char *peers;                 /* a file or a list, as written */
    char *store_path;
    char *records_path;
    GPtrArray *overrides;        /* "section.key=value", NULL-terminated */
    int64_t genesis_unix_ns;     /* the chain's time 0 on the wall clock; 0: the Unix epoch */
    uint32_t frame_max;          /* 0: the default */
    bool emulate_links;          /* the base [network] link parameters too (net_filter.h) */
} tb_options;

typedef struct tb_peer_addr {
    uint32_t node;
    char *name;
    char *host;
    uint16_t port;
} tb_peer_addr;

/* Fills o; false with error on a bad or missing option. `--help` is
 * reported as error code TB_OPTIONS_HELP. */
bool tb_options_parse(tb_options *o, int argc, char **argv, GError **error);
void tb_options_clear(tb_options *o);
#define TB_OPTIONS_HELP 100
extern const char tb_options_usage[];

/* "host:port" or "[v6]:port" -> host (newly allocated) and port 1..65535. */
bool tb_parse_host_port(const char *text, char **host, uint16_t *port, GError **error);

/* The node a name means in sc (a validator, a full node, or a twin
 * "vK'" of a twin fault: node tb_first_twin(sc) + i). */
bool tb_node_by_name(const sim_scenario *sc, const char *name, uint32_t *node, GError **error);
uint32_t tb_first_twin(const sim_scenario *sc);
/* The validator whose keys node `node` runs with (a twin: its K), -1 for
 * a full node. */
int32_t tb_validator_of(const sim_scenario *sc, uint32_t node);

/* The address book: a GArray of tb_peer_addr (clear with
 * tb_peer_addrs_free), every named node once, `self` left out. */
GArray *tb_peers_parse(const sim_scenario *sc, const char *peers, uint32_t self, GError **error);
void tb_peer_addrs_free(GArray *peers);

#endif
