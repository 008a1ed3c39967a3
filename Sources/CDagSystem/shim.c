#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/syscall.h>
#include "CDagSystem.h"

#include <fcntl.h>
#include <signal.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

int dagrun_set_thread_name(const char *name) {
    char shortName[16];
    strncpy(shortName, name, sizeof shortName - 1);
    shortName[sizeof shortName - 1] = '\0';
    return pthread_setname_np(pthread_self(), shortName);
}

int dagrun_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

int dagrun_mkostemp_cloexec(char *path_template) {
    return mkostemp(path_template, O_CLOEXEC);
}

#include <malloc.h>

int dagrun_malloc_keep_large_blocks(int bytes) {
    return mallopt(M_MMAP_THRESHOLD, bytes) && mallopt(M_TRIM_THRESHOLD, bytes);
}

#include <errno.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

int dagrun_memfd_create(const char *name) {
    return memfd_create(name, MFD_CLOEXEC);
}

int dagrun_socketpair_cloexec(int fds[2]) {
    return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds);
}

int dagrun_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int dagrun_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0, 0, 0);
}

enum { DAGRUN_MAX_FDS = 64 };

int dagrun_send_with_fds(int socket, const void *header, size_t headerLength, const void *buffer, size_t length,
                         const int *fds, int count) {
    const char *parts[2] = { header, buffer };
    size_t sizes[2] = { headerLength, length };
    size_t total = headerLength + length, sent = 0;
    if (count < 0 || count > DAGRUN_MAX_FDS) { errno = EINVAL; return -1; }
    while (sent < total || (sent == 0 && total == 0)) {
        // The parts not yet sent, as iovecs (header and payload in one sendmsg: no copy
        // into one buffer first).
        struct iovec iov[2];
        int n_iov = 0;
        size_t skip = sent;
        for (int k = 0; k < 2; k++) {
            if (skip >= sizes[k]) { skip -= sizes[k]; continue; }
            iov[n_iov].iov_base = (void *)(parts[k] + skip);
            iov[n_iov].iov_len = sizes[k] - skip;
            n_iov++;
            skip = 0;
        }
        struct msghdr msg;
        memset(&msg, 0, sizeof msg);
        msg.msg_iov = iov;
        msg.msg_iovlen = (size_t)n_iov;
        union { struct cmsghdr align; char space[CMSG_SPACE(sizeof(int) * DAGRUN_MAX_FDS)]; } control;
        if (sent == 0 && count > 0) {
            memset(&control, 0, sizeof control);
            msg.msg_control = control.space;
            msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)count);
            struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)count);
            memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)count);
        }
        ssize_t n = sendmsg(socket, &msg, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        sent += (size_t)n;
        if (total == 0) break;
    }
    return 0;
}

long dagrun_recv_with_fds(int socket, void *buffer, size_t length, int *fds, int capacity, int *received,
                          int *truncated) {
    *received = 0;
    *truncated = 0;
    union { struct cmsghdr align; char space[CMSG_SPACE(sizeof(int) * DAGRUN_MAX_FDS)]; } control;
    for (;;) {
        struct iovec iov = { buffer, length };
        struct msghdr msg;
        memset(&msg, 0, sizeof msg);
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.space;
        msg.msg_controllen = sizeof control.space;
        ssize_t n = recvmsg(socket, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (msg.msg_flags & MSG_CTRUNC) *truncated = 1;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
            int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            int *data = (int *)CMSG_DATA(c);
            for (int k = 0; k < count; k++) {
                if (*received < capacity) fds[(*received)++] = data[k];
                else { close(data[k]); *truncated = 1; }
            }
        }
        return (long)n;
    }
}

const char *dagrun_signal_abbreviation(int signal) {
    return sigabbrev_np(signal);
}

static volatile sig_atomic_t last_words_armed = 0;
static int last_words_fd = -1;
static size_t last_words_length = 0;
static char last_words[4096];

static void dagrun_last_words_handler(int sig) {
    int e = errno;
    if (last_words_armed && e == ENOMEM) {
        size_t done = 0;
        while (done < last_words_length) {
            ssize_t n = send(last_words_fd, last_words + done, last_words_length - done, MSG_NOSIGNAL);
            if (n <= 0) break;
            done += (size_t)n;
        }
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

int dagrun_last_words_install(void) {
    static char alternate[1 << 16];
    stack_t st;
    st.ss_sp = alternate;
    st.ss_size = sizeof alternate;
    st.ss_flags = 0;
    if (sigaltstack(&st, NULL) != 0) return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = dagrun_last_words_handler;
    sa.sa_flags = SA_ONSTACK | SA_RESETHAND | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE };
    for (unsigned k = 0; k < sizeof fatal / sizeof fatal[0]; k++) {
        if (sigaction(fatal[k], &sa, NULL) != 0) return -1;
    }
    return 0;
}

void dagrun_last_words_arm(int fd, const void *bytes, size_t length) {
    last_words_armed = 0;
    if (length > sizeof last_words) length = sizeof last_words;
    memcpy(last_words, bytes, length);
    last_words_length = length;
    last_words_fd = fd;
    last_words_armed = 1;
}

void dagrun_last_words_disarm(void) {
    last_words_armed = 0;
}

#include <sys/epoll.h>

int dagrun_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int dagrun_epoll_arm(int epoll, int fd, int writable, int add) {
    struct epoll_event event = {0};
    event.events = (writable ? EPOLLOUT : EPOLLIN) | EPOLLONESHOT | EPOLLRDHUP;
    event.data.fd = fd;
    return epoll_ctl(epoll, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event);
}

int dagrun_epoll_disarm(int epoll, int fd) {
    struct epoll_event event = {0};
    event.data.fd = fd;
    return epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event);
}

int dagrun_epoll_remove(int epoll, int fd) {
    struct epoll_event event = {0};
    return epoll_ctl(epoll, EPOLL_CTL_DEL, fd, &event);
}

int dagrun_epoll_wait(int epoll, int *fds, int capacity, int timeout_ms) {
    struct epoll_event events[64];
    if (capacity > 64) capacity = 64;
    int n = epoll_wait(epoll, events, capacity, timeout_ms);
    for (int i = 0; i < n; i++) fds[i] = events[i].data.fd;
    return n;
}

#include <sys/eventfd.h>

int dagrun_epoll_add_wakeup(int epoll) {
    int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0) return -1;
    struct epoll_event event = {0};
    event.events = EPOLLIN;
    event.data.fd = fd;
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) != 0) return -1;
    return fd;
}

int dagrun_gettid(void) { return (int)syscall(SYS_gettid); }
