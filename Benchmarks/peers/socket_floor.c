// The kernel's floor under a process task's round trip: two processes on the same core
// exchange a 40-byte request and a 24-byte reply over a Unix stream socketpair with plain
// write/read, nothing else. dagrun's worker processes pay this plus their framing, the
// task's decoding and the scheduler's bookkeeping.
//
//   socket_floor [--round-trips N] [--repeat R] [--cpu C]
//
// Prints one JSON line: {"peer": ..., "samples_ns": [...]} (ns per round trip, one sample
// per repeat). Both processes are pinned to CPU C (default: the one this starts on).
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
}

static int exact(ssize_t (*io)(int, void *, size_t), int fd, char *buf, size_t n) {
    size_t done = 0;
    while (done < n) {
        ssize_t k = io(fd, buf + done, n - done);
        if (k <= 0) return -1;
        done += (size_t)k;
    }
    return 0;
}

static ssize_t writer(int fd, void *b, size_t n) { return write(fd, b, n); }

int main(int argc, char **argv) {
    long trips = 20000;
    int repeat = 5, cpu = sched_getcpu();
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "--round-trips") && k + 1 < argc) trips = atol(argv[++k]);
        else if (!strcmp(argv[k], "--repeat") && k + 1 < argc) repeat = atoi(argv[++k]);
        else if (!strcmp(argv[k], "--cpu") && k + 1 < argc) cpu = atoi(argv[++k]);
        else { fprintf(stderr, "usage: socket_floor [--round-trips N] [--repeat R] [--cpu C]\n"); return 2; }
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) { perror("socketpair"); return 1; }
    char request[40] = {1}, reply[24] = {2};
    pid_t child = fork();
    if (child < 0) { perror("fork"); return 1; }
    if (child == 0) {
        close(sv[0]);
        if (pin(cpu) != 0) _exit(1);
        for (;;) {
            if (exact(read, sv[1], request, sizeof request) != 0) _exit(0);
            if (exact(writer, sv[1], reply, sizeof reply) != 0) _exit(0);
        }
    }
    close(sv[1]);
    if (pin(cpu) != 0) { perror("sched_setaffinity"); return 1; }
    printf("{\"peer\": \"C socketpair, same core (floor)\", \"samples_ns\": [");
    for (int r = -1; r < repeat; r++) {   // r = -1: warm-up
        double t = now();
        for (long k = 0; k < trips; k++) {
            if (exact(writer, sv[0], request, sizeof request) != 0 || exact(read, sv[0], reply, sizeof reply) != 0) {
                fprintf(stderr, "socket_floor: the child went away\n");
                return 1;
            }
        }
        double ns = (now() - t) / (double)trips * 1e9;
        if (r >= 0) printf("%s%.1f", r ? ", " : "", ns);
    }
    printf("]}\n");
    close(sv[0]);
    waitpid(child, NULL, 0);
    return 0;
}
