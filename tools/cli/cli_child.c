/* One `aitbc-sim run` child process, for swarm and shrink.
 *
 * Each world runs as its own process of this executable, so a crash (a
 * signal) or an internal error in one world is an outcome to record, not
 * the end of the swarm. The child's stdout goes to /dev/null, its stderr
 * to a log file next to its output directory, and a wall-clock limit is
 * an alarm() set in the child before exec (a pending alarm survives exec):
 * SIGALRM ends it and the parent records a timeout. Wall-clock time is
 * used here only to bound runs, never inside a simulation. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/cli/cli_child.h"

typedef struct child_setup_data {
    const char *log_path;
    guint timeout_s;
} child_setup_data;

/* Runs in the child between fork and exec: async-signal-safe calls only. */
static void child_setup(gpointer p)
{
    const child_setup_data *d = p;
    int null_fd = open("/dev/null", O_WRONLY);
    if (null_fd >= 0) {
        dup2(null_fd, STDOUT_FILENO);
        close(null_fd);
    }
    int log_fd = d->log_path != NULL ? open(d->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
    if (log_fd >= 0) {
        dup2(log_fd, STDERR_FILENO);
        close(log_fd);
    }
    if (d->timeout_s > 0)
        alarm(d->timeout_s);
}

char *cli_self_exe(void)
{
    char *p = g_file_read_link("/proc/self/exe", NULL);
    return p != NULL ? p : g_strdup("aitbc-sim");
}

gboolean cli_child_spawn(const char *exe, const char *world, const char *run_dir,
                         const char *log_path, guint timeout_s, GPid *pid, GError **error)
{
    const char *argv[] = {exe, "run", world, "--quiet", "--no-plots", "--out", run_dir, NULL};
    child_setup_data d = {.log_path = log_path, .timeout_s = timeout_s};
    return g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, child_setup, &d,
                         pid, error);
}

void cli_child_classify(const char *run_dir, int status, rep_swarm_run *r)
{
    if (WIFEXITED(status)) {
        rep_swarm_classify(run_dir, WEXITSTATUS(status), 0, false, r);
    } else {
        int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        rep_swarm_classify(run_dir, -1, sig, sig == SIGALRM, r);
    }
}

gboolean cli_child_run(const char *exe, const char *world, const char *run_dir,
                       const char *log_path, guint timeout_s, rep_swarm_run *r, GError **error)
{
    GPid pid = 0;
    if (!cli_child_spawn(exe, world, run_dir, log_path, timeout_s, &pid, error))
        return FALSE;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            g_set_error(error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "waitpid: %s",
                        g_strerror(errno));
            return FALSE;
        }
    }
    g_spawn_close_pid(pid);
    cli_child_classify(run_dir, status, r);
    return TRUE;
}

static gboolean remove_tree(const char *path)
{
    if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
        GDir *dir = g_dir_open(path, 0, NULL);
        const char *name = NULL;
        while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
            g_autofree char *child = g_build_filename(path, name, NULL);
            remove_tree(child);
        }
        if (dir != NULL)
            g_dir_close(dir);
        return rmdir(path) == 0;
    }
    return unlink(path) == 0;
}

void cli_remove_tree(const char *path)
{
    if (g_file_test(path, G_FILE_TEST_EXISTS))
        remove_tree(path);
}
