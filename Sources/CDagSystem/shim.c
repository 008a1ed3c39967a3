#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "CDagSystem.h"

#include <fcntl.h>
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
