#ifndef DAGRUN_COPENBLAS_H
#define DAGRUN_COPENBLAS_H

// The include path comes from `pkg-config --cflags openblas`
// (Debian 12: /usr/include/x86_64-linux-gnu/openblas-pthread/).
#include <cblas.h>
#include <stddef.h>

// LAPACK entry points exported by libopenblas itself. OpenBLAS ships no
// prototypes for them without LAPACKE, so they are declared here with the
// gfortran calling convention: every argument by pointer, and one trailing
// hidden `size_t` length per CHARACTER argument.

/// Cholesky factorization of a symmetric positive-definite matrix
/// (column-major). `info` is 0 on success, -i if argument i was illegal,
/// and i > 0 if the leading minor of order i is not positive definite.
void dpotrf_(const char *uplo, const blasint *n, double *a,
             const blasint *lda, blasint *info, size_t uplo_len);

#endif
