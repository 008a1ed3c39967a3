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

/// epoll for the IO executor's socket reactor, over plain ints (struct epoll_event is
/// packed on x86-64, which Swift does not import field by field).
/// A close-on-exec epoll descriptor, or -1.
int dagrun_epoll_create(void);
/// Arms `fd` once (EPOLLONESHOT) for reading (`writable` 0) or writing; `add` 1 the first time.
int dagrun_epoll_arm(int epoll, int fd, int writable, int add);
/// Disarms `fd` (it stays registered); removes it with `dagrun_epoll_remove`.
int dagrun_epoll_disarm(int epoll, int fd);
int dagrun_epoll_remove(int epoll, int fd);
/// Waits up to `timeout_ms` (-1: forever) for events; writes up to `capacity` ready
/// descriptors to `fds`; returns how many, or -1.
int dagrun_epoll_wait(int epoll, int *fds, int capacity, int timeout_ms);
/// A non-blocking eventfd added to `epoll` (level-triggered, readable): writing to it
/// wakes a thread in dagrun_epoll_wait. Returns the eventfd, or -1.
int dagrun_epoll_add_wakeup(int epoll);

#endif
