// One OpenBLAS call on every core: the reference a tiled runtime is measured against.
//
//   blas_single gemm  --n N [--threads T] [--repeat R]   C = A·B (cblas_dgemm), 2n³ FLOP
//   blas_single potrf --n N [--threads T] [--repeat R]   A = L·Lᵀ (LAPACK dpotrf_), n³/3 FLOP
//   blas_single getrf --n N [--threads T] [--repeat R]   A = P·L·U (LAPACK dgetrf_), 2n³/3 FLOP
//   blas_single fma   [--threads T] [--seconds S]        the FMA throughput of T threads
//
// Built against Debian's OpenBLAS (gcc -O2 blas_single.c -lopenblas -lpthread). gemm and
// potrf set openblas_set_num_threads(T) (default: every online CPU), run one untimed call
// to warm up (thread pool, page faults, caches), then R timed calls (default 3), and print
// one line of JSON: the peer, n, threads, flops, every sample's seconds, the median, and
// OpenBLAS's configuration and core name. The inputs are filled before each call (potrf
// and getrf work in place) and that is not timed; getrf's input is dominant on its
// diagonal (uniform [0, 1) plus n, as dagrun's `diagdom`), so its pivoting swaps no rows. A cheap check of the result follows the last call.
//
// fma runs T threads, each a loop of independent vector FMA chains (AVX-512 when the CPU
// has it, else AVX2 + FMA), and prints the FLOP/s reached: a measured ceiling for the
// machine's peak, from which the clock the cores really run at can be inferred.
#include <cblas.h>
#include <immintrin.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
extern void dgetrf_(const int *m, const int *n, double *a, const int *lda, int *pivots, int *info);

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *xs, int n) {
    double *s = malloc(sizeof(double) * (size_t)n);
    memcpy(s, xs, sizeof(double) * (size_t)n);
    qsort(s, (size_t)n, sizeof(double), by_value);
    double m = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    free(s);
    return m;
}

/// Uniform [0, 1) from a 64-bit LCG (Knuth's MMIX constants): inputs only, not statistics.
static void fill(double *a, size_t count, uint64_t seed) {
    uint64_t s = seed;
    for (size_t i = 0; i < count; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        a[i] = (double)(s >> 11) * 0x1p-53;
    }
}

/// A symmetric, strictly diagonally dominant (so positive definite) n x n matrix.
static void fill_spd(double *a, int n) {
    fill(a, (size_t)n * (size_t)n, 7);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < i; j++) a[(size_t)i * n + j] = a[(size_t)j * n + i];
        a[(size_t)i * n + i] += n;
    }
}

static void print_samples(const char *peer, int n, int threads, double flops, const double *s, int repeat,
                          const char *check) {
    printf("{\"peer\": \"%s\", \"n\": %d, \"threads\": %d, \"flops\": %.17g, \"samples_s\": [", peer, n, threads, flops);
    for (int r = 0; r < repeat; r++) printf("%s%.9f", r ? ", " : "", s[r]);
    printf("], \"median_s\": %.9f, \"openblas_config\": \"%s\", \"openblas_core\": \"%s\", \"check\": \"%s\"}\n",
           median(s, repeat), openblas_get_config(), openblas_get_corename(), check);
}

static int gemm(int n, int threads, int repeat) {
    size_t count = (size_t)n * (size_t)n;
    double *a = malloc(count * sizeof(double)), *b = malloc(count * sizeof(double)), *c = malloc(count * sizeof(double));
    double *samples = malloc(sizeof(double) * (size_t)repeat);
    if (!a || !b || !c || !samples) { fprintf(stderr, "blas_single: out of memory for n = %d\n", n); return 1; }
    fill(a, count, 1);
    fill(b, count, 2);
    for (int r = -1; r < repeat; r++) {
        double t0 = now();
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
        if (r >= 0) samples[r] = now() - t0;
    }
    // Two entries against a plain dot product.
    double worst = 0;
    for (int k = 0; k < 2; k++) {
        size_t i = k ? (size_t)n - 1 : 0, j = k ? 0 : (size_t)n - 1;
        double dot = 0;
        for (size_t l = 0; l < (size_t)n; l++) dot += a[i * n + l] * b[l * n + j];
        worst = fmax(worst, fabs(dot - c[i * n + j]) / fabs(dot));
    }
    print_samples("openblas dgemm", n, threads, 2.0 * n * (double)n * n, samples, repeat,
                  worst < 1e-12 ? "ok" : "WRONG");
    free(a); free(b); free(c); free(samples);
    return worst < 1e-12 ? 0 : 1;
}

static int potrf(int n, int threads, int repeat) {
    size_t count = (size_t)n * (size_t)n;
    double *a = malloc(count * sizeof(double)), *spd = malloc(count * sizeof(double));
    double *samples = malloc(sizeof(double) * (size_t)repeat);
    if (!a || !spd || !samples) { fprintf(stderr, "blas_single: out of memory for n = %d\n", n); return 1; }
    fill_spd(spd, n);
    int info = 0;
    for (int r = -1; r < repeat; r++) {
        memcpy(a, spd, count * sizeof(double));
        double t0 = now();
        dpotrf_("L", &n, a, &n, &info);   // column-major "L" of a symmetric matrix: its upper triangle row-major
        if (r >= 0) samples[r] = now() - t0;
        if (info != 0) { fprintf(stderr, "blas_single: dpotrf_ info = %d\n", info); return 1; }
    }
    // The first column of L: L[0][0] = sqrt(A[0][0]), L[i][0] = A[i][0] / L[0][0].
    double l00 = sqrt(spd[0]), worst = fabs(a[0] - l00) / l00;
    for (int i = 1; i < n; i += n / 16 + 1) worst = fmax(worst, fabs(a[i] - spd[i] / l00));
    print_samples("openblas dpotrf", n, threads, (double)n * n * (double)n / 3.0, samples, repeat,
                  worst < 1e-12 ? "ok" : "WRONG");
    free(a); free(spd); free(samples);
    return worst < 1e-12 ? 0 : 1;
}

static int getrf(int n, int threads, int repeat) {
    size_t count = (size_t)n * (size_t)n;
    double *a = malloc(count * sizeof(double)), *dominant = malloc(count * sizeof(double));
    double *samples = malloc(sizeof(double) * (size_t)repeat);
    int *pivots = malloc(sizeof(int) * (size_t)n);
    if (!a || !dominant || !samples || !pivots) { fprintf(stderr, "blas_single: out of memory for n = %d\n", n); return 1; }
    fill(dominant, count, 11);
    for (int i = 0; i < n; i++) dominant[(size_t)i * n + i] += n;
    int info = 0;
    for (int r = -1; r < repeat; r++) {
        memcpy(a, dominant, count * sizeof(double));
        double t0 = now();
        dgetrf_(&n, &n, a, &n, pivots, &info);
        if (r >= 0) samples[r] = now() - t0;
        if (info != 0) { fprintf(stderr, "blas_single: dgetrf_ info = %d\n", info); return 1; }
    }
    // No row swapped, and the first row of U and column of L (column-major: A's first
    // column is a[0..n)): U[0][j] = A[0][j], L[i][0] = A[i][0] / A[0][0].
    int swapped = 0;
    for (int i = 0; i < n; i++) swapped |= pivots[i] != i + 1;
    double worst = 0;
    for (int i = 1; i < n; i += n / 16 + 1) {
        worst = fmax(worst, fabs(a[i] - dominant[i] / dominant[0]) / fabs(dominant[i] / dominant[0] + 1e-300));
        worst = fmax(worst, fabs(a[(size_t)i * n] - dominant[(size_t)i * n]) / fabs(dominant[(size_t)i * n]));
    }
    int ok = !swapped && worst < 1e-12;
    print_samples("openblas dgetrf", n, threads, 2.0 * n * (double)n * n / 3.0, samples, repeat, ok ? "ok" : "WRONG");
    free(a); free(dominant); free(samples); free(pivots);
    return ok ? 0 : 1;
}

// --- FMA throughput --------------------------------------------------------------------

enum { CHAINS = 12 };   // independent chains: more than FMA latency (4-5 cycles) x units (2)

struct fma_job {
    long iterations;
    int wide;           // 1: AVX-512 (8 doubles), 0: AVX2 (4 doubles)
    double sink;
    pthread_barrier_t *barrier;
};

// Twelve chains written out (an array would be kept in memory, each FMA waiting on a store).
// x = x·m + c converges to c / (1 − m) = 1: values stay normal, no overflow or denormals.
#define CHAINS12(F) F(0) F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9) F(10) F(11)

__attribute__((target("avx2,fma"))) static double fma_avx2(long iterations) {
    const __m256d m = _mm256_set1_pd(0.999999), c = _mm256_set1_pd(0.000001);
#define DECLARE(k) __m256d x##k = _mm256_set1_pd(1.0 + k * 1e-3);
#define STEP(k) x##k = _mm256_fmadd_pd(x##k, m, c);
#define ADD(k) x0 = _mm256_add_pd(x0, x##k);
    CHAINS12(DECLARE)
    for (long i = 0; i < iterations; i++) {
        CHAINS12(STEP)
    }
    CHAINS12(ADD)
    double out[4];
    _mm256_storeu_pd(out, x0);
    return out[0] + out[1] + out[2] + out[3];
#undef DECLARE
#undef STEP
#undef ADD
}

__attribute__((target("avx512f"))) static double fma_avx512(long iterations) {
    const __m512d m = _mm512_set1_pd(0.999999), c = _mm512_set1_pd(0.000001);
#define DECLARE(k) __m512d x##k = _mm512_set1_pd(1.0 + k * 1e-3);
#define STEP(k) x##k = _mm512_fmadd_pd(x##k, m, c);
#define ADD(k) x0 = _mm512_add_pd(x0, x##k);
    CHAINS12(DECLARE)
    for (long i = 0; i < iterations; i++) {
        CHAINS12(STEP)
    }
    CHAINS12(ADD)
    return _mm512_reduce_add_pd(x0);
#undef DECLARE
#undef STEP
#undef ADD
}

static void *fma_thread(void *arg) {
    struct fma_job *job = arg;
    pthread_barrier_wait(job->barrier);
    job->sink = job->wide ? fma_avx512(job->iterations) : fma_avx2(job->iterations);
    return NULL;
}

/// Seconds for `threads` threads to run `iterations` each, all started together.
static double fma_run(int threads, long iterations, int wide) {
    pthread_t ids[256];
    struct fma_job jobs[256];
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, (unsigned)threads + 1);
    for (int t = 0; t < threads; t++) {
        jobs[t] = (struct fma_job){.iterations = iterations, .wide = wide, .barrier = &barrier};
        pthread_create(&ids[t], NULL, fma_thread, &jobs[t]);
    }
    pthread_barrier_wait(&barrier);
    double t0 = now();
    for (int t = 0; t < threads; t++) pthread_join(ids[t], NULL);
    double seconds = now() - t0;
    pthread_barrier_destroy(&barrier);
    return seconds;
}

static int fma_peak(int threads, double seconds) {
    __builtin_cpu_init();
    int wide = __builtin_cpu_supports("avx512f");
    if (!wide && !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) {
        printf("{\"peer\": \"fma loop\", \"error\": \"neither AVX-512 nor AVX2 + FMA\"}\n");
        return 1;
    }
    int lanes = wide ? 8 : 4;
    // Calibrate on one thread to about a tenth of the time, then run; best of 3 runs.
    long iterations = 1 << 20;
    while (fma_run(1, iterations, wide) < seconds / 10) iterations *= 2;
    iterations = (long)((double)iterations * (seconds / 10) / fma_run(1, iterations, wide) * 10);
    double best = 1e30;
    for (int r = 0; r < 3; r++) best = fmin(best, fma_run(threads, iterations, wide));
    double flops = 2.0 * lanes * CHAINS * (double)iterations * threads;
    printf("{\"peer\": \"fma loop\", \"threads\": %d, \"vector_bits\": %d, \"chains\": %d, \"flops\": %.17g, "
           "\"best_s\": %.9f, \"gflops\": %.3f}\n", threads, lanes * 64, CHAINS, flops, best, flops / best / 1e9);
    return 0;
}

static void usage(void) {
    fprintf(stderr, "usage: blas_single gemm|potrf|getrf --n N [--threads T] [--repeat R]\n"
                    "       blas_single fma [--threads T] [--seconds S]\n");
}

int main(int argc, char **argv) {
    if (argc < 2) { usage(); return 2; }
    int n = 0, threads = (int)sysconf(_SC_NPROCESSORS_ONLN), repeat = 3;
    double seconds = 1.0;
    for (int i = 2; i < argc; i++) {
        if (i + 1 >= argc) { usage(); return 2; }
        if (!strcmp(argv[i], "--n")) n = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads")) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--repeat")) repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[++i]);
        else { usage(); return 2; }
    }
    if (threads < 1 || threads > 256 || repeat < 1 || !(seconds > 0)) { usage(); return 2; }
    if (!strcmp(argv[1], "fma")) return fma_peak(threads, seconds);
    if (n < 1) { usage(); return 2; }
    openblas_set_num_threads(threads);
    if (!strcmp(argv[1], "gemm")) return gemm(n, threads, repeat);
    if (!strcmp(argv[1], "potrf")) return potrf(n, threads, repeat);
    if (!strcmp(argv[1], "getrf")) return getrf(n, threads, repeat);
    usage();
    return 2;
}
