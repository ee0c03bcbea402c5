/* One `aitbc-sim run` child process, for swarm and shrink (cli_child.c). */
#ifndef AITBC_TOOLS_CLI_CHILD_H
#define AITBC_TOOLS_CLI_CHILD_H

#include <errno.h>
#include <glib.h>

#include "reports/swarm.h"

/* This executable's path (for running children of it); newly allocated. */
char *cli_self_exe(void);
/* Start `exe run WORLD --quiet --no-plots --out RUN_DIR`, stderr to
 * log_path, killed by SIGALRM after timeout_s of wall time (0: never).
 * The caller reaps it (waitpid) and classifies it. */
gboolean cli_child_spawn(const char *exe, const char *world, const char *run_dir,
                         const char *log_path, guint timeout_s, GPid *pid, GError **error);
/* Outcome of a reaped child from its wait status and its results. */
void cli_child_classify(const char *run_dir, int status, rep_swarm_run *r);
/* Spawn, wait and classify. */
gboolean cli_child_run(const char *exe, const char *world, const char *run_dir,
                       const char *log_path, guint timeout_s, rep_swarm_run *r, GError **error);
/* Remove a file or a directory tree, if it exists. */
void cli_remove_tree(const char *path);

#endif
