#ifndef DAGRUN_COPENBLAS_H
#define DAGRUN_COPENBLAS_H

// The include path comes from `pkg-config --cflags openblas`
// (Debian 12: /usr/include/x86_64-linux-gnu/openblas-pthread/).
#include <cblas.h>
#include <stddef.h>

// LAPACK entry points exported by libopenblas itself. OpenBLAS ships no
// prototypes for them without LAPACKE, so they are declared here with the
// gfortran calling convention: every argument by pointer, and one trailing
// hidden `size_t` length per CHARACTER argument. All of them work on
// column-major storage; DagKernels maps its row-major matrices onto them
// (see Sources/DagKernels/Kernels+LAPACK.swift).
//
// In Debian 12's libopenblas0-pthread (0.3.21) dpotrf_, dgetrf_ and dgetrs_
// are OpenBLAS's own parallel implementations; dgeqrf_ is the reference
// LAPACK routine compiled into the library (`nm -D` lists all four).

/// Cholesky factorization of a symmetric positive-definite matrix
/// (column-major). `info` is 0 on success, -i if argument i was illegal,
/// and i > 0 if the leading minor of order i is not positive definite.
void dpotrf_(const char *uplo, const blasint *n, double *a,
             const blasint *lda, blasint *info, size_t uplo_len);

/// LU factorization with partial pivoting, A = P*L*U, of an m x n matrix
/// (column-major), in place: L unit lower triangular below the diagonal, U
/// upper triangular on and above it. `ipiv` receives min(m, n) 1-based row
/// interchanges (row i was swapped with row ipiv[i-1], in order). `info` is
/// 0 on success, -i if argument i was illegal, and i > 0 if U(i,i) is
/// exactly zero (the factors are complete, but U is singular).
void dgetrf_(const blasint *m, const blasint *n, double *a,
             const blasint *lda, blasint *ipiv, blasint *info);

/// Solves op(A)*X = B for n x nrhs column-major B, in place, with the
/// factors and pivots from dgetrf_; `trans` is "N" (A) or "T" (A^T).
/// `info` is 0 on success or -i if argument i was illegal.
void dgetrs_(const char *trans, const blasint *n, const blasint *nrhs,
             const double *a, const blasint *lda, const blasint *ipiv,
             double *b, const blasint *ldb, blasint *info, size_t trans_len);

/// QR factorization A = Q*R of an m x n matrix (column-major), in place:
/// R on and above the diagonal, Q as min(m, n) Householder reflectors
/// below it with their scalars in `tau`. `lwork = -1` is a workspace query:
/// the optimal size is returned in work[0]. `info` is 0 or -i.
void dgeqrf_(const blasint *m, const blasint *n, double *a,
             const blasint *lda, double *tau, double *work,
             const blasint *lwork, blasint *info);

/// Stops the pthreads build's thread pool: each pool thread is told to exit and
/// is joined (about 0.1 ms here). Returns at once when there is no pool. A
/// later call that wants more than one thread starts a new pool. Exported by
/// the threaded builds of libopenblas (OpenBLAS's own fork handler calls it)
/// but declared in no header; weak, as a serial build has no pool and no such
/// function.
int blas_thread_shutdown_(void) __attribute__((weak));

static inline void dagrun_blas_stop_thread_pool(void) {
    if (blas_thread_shutdown_) blas_thread_shutdown_();
}

#endif
