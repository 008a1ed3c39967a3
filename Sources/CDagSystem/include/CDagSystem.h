// GNU extensions the runtime needs that Swift's Glibc module hides (it is built
// without _GNU_SOURCE). Each is a thin, prefixed wrapper; see shim.c.
#ifndef CDAGSYSTEM_H
#define CDAGSYSTEM_H

#include <spawn.h>
#include <stddef.h>

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

/// The calling thread's kernel id (gettid; Swift's Glibc does not show it).
int dagrun_gettid(void);

// Process workers (see DagRuntime/WorkerProtocol.swift).

/// memfd_create(name, MFD_CLOEXEC): anonymous shared memory, nothing on disk. -1 and errno on failure.
int dagrun_memfd_create(const char *name);

/// socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC): fds[0] and fds[1]. 0 or -1 and errno.
int dagrun_socketpair_cloexec(int fds[2]);

/// pipe2(fds, O_CLOEXEC). 0 or -1 and errno.
int dagrun_pipe_cloexec(int fds[2]);

/// prctl(PR_SET_PDEATHSIG, signal): the kernel sends `signal` to the calling process when
/// the thread that created it exits. 0 or -1 and errno.
int dagrun_set_parent_death_signal(int signal);

/// Sends `header` then `buffer` (all their bytes) on a stream socket with sendmsg, the
/// `count` file descriptors of `fds` attached (SCM_RIGHTS) to the first byte. Retries EINTR
/// and short writes; MSG_NOSIGNAL (a closed peer gives EPIPE, not SIGPIPE). 0 or -1 and errno.
int dagrun_send_with_fds(int socket, const void *header, size_t headerLength, const void *buffer, size_t length,
                         const int *fds, int count);

/// One recvmsg of at most `length` bytes into `buffer`; file descriptors that arrive with
/// them (SCM_RIGHTS, received close-on-exec) go to `fds` (at most `capacity`; extra ones are
/// closed) and their number to `*received`. Returns the byte count (0 at end of stream) or
/// -1 and errno; retries EINTR. Sets `*truncated` when the kernel cut the descriptors.
long dagrun_recv_with_fds(int socket, void *buffer, size_t length, int *fds, int capacity, int *received,
                          int *truncated);

/// The signal's abbreviation without "SIG" (sigabbrev_np, glibc >= 2.32), or NULL.
const char *dagrun_signal_abbreviation(int signal);

/// Installs handlers for the fatal signals (SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT,
/// SIGFPE) on an alternate stack. A handler writes the armed "last words" (if any, and
/// only when errno is ENOMEM at the time of the signal: an allocation failed) to the armed
/// descriptor, then re-raises the signal with its default action, so the process still
/// dies of it. Returns 0, or -1 and errno.
int dagrun_last_words_install(void);

/// Arms the last words: `length` bytes (at most 4096, copied) to write to `fd`.
void dagrun_last_words_arm(int fd, const void *bytes, size_t length);

/// Disarms them.
void dagrun_last_words_disarm(void);

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
