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
