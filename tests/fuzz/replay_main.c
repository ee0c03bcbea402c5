/* Corpus replay: runs a fuzz harness (LLVMFuzzerTestOneInput) once on
 * every file named on the command line, or on every file of a directory
 * named there, so each harness builds with any compiler as a plain
 * program and CTest replays the committed corpora on every build
 * (tests/fuzz/CMakeLists.txt). A broken rule aborts inside the harness;
 * the file being replayed is printed first so the failure names it. */
#include <glib.h>
#include <stdio.h>

#include "fuzz.h"

static int replay_file(const char *path)
{
    gchar *text = NULL;
    gsize size = 0;
    GError *error = NULL;
    if (!g_file_get_contents(path, &text, &size, &error)) {
        fprintf(stderr, "replay: %s\n", error->message);
        g_error_free(error);
        return 1;
    }
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, (size_t)size);
    LLVMFuzzerTestOneInput((const uint8_t *)text, size);
    g_free(text);
    return 0;
}

static gint path_compare(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

/* Files of a directory in name order, so runs are reproducible. */
static int replay_dir(const char *path, int *count)
{
    GError *error = NULL;
    GDir *dir = g_dir_open(path, 0, &error);
    if (dir == NULL) {
        fprintf(stderr, "replay: %s\n", error->message);
        g_error_free(error);
        return 1;
    }
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    for (const char *name; (name = g_dir_read_name(dir)) != NULL;) {
        char *file = g_build_filename(path, name, NULL);
        if (g_file_test(file, G_FILE_TEST_IS_REGULAR)) {
            g_ptr_array_add(names, file); /* subdirectories are not inputs */
        } else {
            g_free(file);
        }
    }
    g_dir_close(dir);
    g_ptr_array_sort(names, path_compare);
    int failed = 0;
    for (guint i = 0; i < names->len; i++) {
        const char *file = names->pdata[i];
        failed |= replay_file(file);
        (*count)++;
    }
    g_ptr_array_unref(names);
    return failed;
}

int main(int argc, char **argv)
{
    int failed = 0;
    int count = 0;
    for (int i = 1; i < argc; i++) {
        if (g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
            failed |= replay_dir(argv[i], &count);
        } else {
            failed |= replay_file(argv[i]);
            count++;
        }
    }
    if (count == 0) {
        fprintf(stderr, "replay: no inputs\n");
        return 1;
    }
    fprintf(stderr, "replay: %d inputs, %s\n", count, failed ? "errors" : "all passed");
    return failed;
}
