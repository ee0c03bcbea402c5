/* Temporary directories for tests that write files (databases, plots,
 * whole run outputs): make one, and remove it with everything in it. */
#ifndef AITBC_TEST_TMPDIR_H
#define AITBC_TEST_TMPDIR_H

/* Remove path and everything below it (files and directories). */
void test_remove_tree(const char *path);

#endif
