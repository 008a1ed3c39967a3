// GNU extensions the runtime needs that Swift's Glibc module hides (it is built
// without _GNU_SOURCE). Each is a thin, prefixed wrapper; see shim.c.
#ifndef CDAGSYSTEM_H
#define CDAGSYSTEM_H

#include <spawn.h>

/// pthread_setname_np on the calling thread (names longer than 15 bytes are cut).
int dagrun_set_thread_name(const char *name);

/// posix_spawn_file_actions_addchdir_np (glibc >= 2.29): the child changes directory before exec.
int dagrun_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);

/// mkostemp(template, O_CLOEXEC): a unique temporary file, closed on exec.
int dagrun_mkostemp_cloexec(char *path_template);

/// Makes malloc serve large blocks from the heap and keep freed memory for reuse
/// (mallopt M_MMAP_THRESHOLD and M_TRIM_THRESHOLD set to `bytes`). Returns 1 on success.
int dagrun_malloc_keep_large_blocks(int bytes);

/// Asks the CPU to bring the cache line at `address` closer (no effect on results).
static inline void dagrun_prefetch(const void *address) { __builtin_prefetch(address, 1, 3); }

#endif
