"""Dense linear algebra with numpy and dask.array: the Python peers of the tiled graphs.

    la_python.py matmul   --n N --engine numpy [--threads T] [--repeat R]
    la_python.py matmul   --n N --engine dask --chunks C [--workers W] [--repeat R]
    la_python.py cholesky --n N --engine numpy [--threads T] [--repeat R]
    la_python.py cholesky --n N --engine dask --chunks C [--workers W] [--repeat R]
    la_python.py lu       --n N --engine numpy [--threads T] [--repeat R]
    la_python.py lu       --n N --engine dask --chunks C [--workers W] [--repeat R]

numpy runs one call (A @ B, numpy.linalg.cholesky) with its OpenBLAS limited to T
threads by threadpoolctl (default: every CPU). dask runs the blocked algorithm
(A @ B, dask.array.linalg.cholesky) on inputs in chunks of C x C already in memory,
with the threaded scheduler and W workers (default 2), its OpenBLAS limited to one
thread so that each task's BLAS call runs on the worker that runs the task; the timed
call is `.persist()`, which builds, orders and runs the graph and keeps the result in
chunks (no final concatenation).

dask.array.linalg.cholesky needs scipy (for its triangular solves). numpy has no LU:
`lu --engine numpy` is scipy.linalg.lu_factor (LAPACK dgetrf with partial pivoting, on
scipy's own OpenBLAS, which threadpoolctl limits too); dask runs dask.array.linalg.lu
(blocked, with scipy's LU of each diagonal block). The LU input is dominant on its
diagonal (uniform [0, 1) plus n), as dagrun's `diagdom`, so pivoting swaps no rows.

Every case runs once untimed (warm-up), then R times (default 3) timed. Inputs are
made before the timing: uniform [0, 1) matrices, and for Cholesky a symmetric matrix
with n added to its diagonal (strictly diagonally dominant, hence SPD). After the last
run the result is checked with the residual of the dagrun graphs (Freivalds: an O(n²)
product with a random vector, divided by the norms), and the case fails when it is
above 30·n·ε.

Prints one line of JSON: peer, work, n, threads or workers and chunks, flops (2n³ or
n³/3), samples_s, median_s, residual, versions and the BLAS threadpoolctl saw.
"""

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import threadpoolctl


def spd(n, rng):
    a = rng.random((n, n))
    a = np.tril(a) + np.tril(a, -1).T
    a[np.diag_indices(n)] += n
    return a


def residual_matmul(a, b, c, rng):
    x = rng.standard_normal(a.shape[0])
    return np.linalg.norm(c @ x - a @ (b @ x)) / (np.linalg.norm(a) * np.linalg.norm(b) * np.linalg.norm(x))


def diagonally_dominant(n, rng):
    a = rng.random((n, n))
    a[np.diag_indices(n)] += n
    return a


def residual_lu(a, p, lower, upper, rng):
    """‖A·x − P·L·(U·x)‖ / (‖A‖·‖x‖); p: a permutation matrix, or None for the identity."""
    x = rng.standard_normal(a.shape[0])
    lux = lower @ (upper @ x)
    if p is not None:
        lux = p @ lux
    return np.linalg.norm(a @ x - lux) / (np.linalg.norm(a) * np.linalg.norm(x))


def residual_cholesky(a, lower, rng):
    x = rng.standard_normal(a.shape[0])
    return np.linalg.norm(a @ x - lower @ (lower.T @ x)) / (np.linalg.norm(a) * np.linalg.norm(x))


def run_numpy(work, n, threads, repeat, rng):
    if work == "matmul":
        a, b = rng.random((n, n)), rng.random((n, n))
        call = lambda: a @ b  # noqa: E731
    elif work == "lu":
        import scipy.linalg
        a = diagonally_dominant(n, rng)
        call = lambda: scipy.linalg.lu_factor(a)  # noqa: E731
    else:
        a = spd(n, rng)
        call = lambda: np.linalg.cholesky(a)  # noqa: E731
    samples = []
    with threadpoolctl.threadpool_limits(limits=threads, user_api="blas"):
        result = call()
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = call()
            samples.append(time.perf_counter() - t0)
    if work == "matmul":
        return samples, residual_matmul(a, b, result, rng)
    if work == "lu":
        packed, pivots = result
        lower = np.tril(packed, -1) + np.eye(n)
        upper = np.triu(packed)
        # LAPACK's interchanges, applied in order: A[rows] = L·U, so A = P·L·U with P the
        # identity's rows in the inverse order.
        rows = np.arange(n)
        for i, j in enumerate(pivots):
            rows[[i, j]] = rows[[j, i]]
        p = np.eye(n)[np.argsort(rows)] if (pivots != np.arange(n)).any() else None
        return samples, residual_lu(a, p, lower, upper, rng)
    return samples, residual_cholesky(a, result, rng)


def run_dask(work, n, chunks, workers, repeat, rng):
    import dask
    import dask.array as da

    if work == "matmul":
        a_np, b_np = rng.random((n, n)), rng.random((n, n))
        a, b = da.from_array(a_np, chunks=chunks), da.from_array(b_np, chunks=chunks)
        build = lambda: a @ b  # noqa: E731
    elif work == "lu":
        a_np = diagonally_dominant(n, rng)
        a = da.from_array(a_np, chunks=chunks)
        build = lambda: dask.persist(*da.linalg.lu(a))  # noqa: E731  (P, L, U)
    else:
        a_np = spd(n, rng)
        a = da.from_array(a_np, chunks=chunks)
        build = lambda: da.linalg.cholesky(a, lower=True)  # noqa: E731
    samples = []
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"), \
            dask.config.set(scheduler="threads", num_workers=workers):
        persist = (lambda: build()) if work == "lu" else (lambda: build().persist())  # noqa: E731
        result = persist()
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = persist()
            samples.append(time.perf_counter() - t0)
        result = [r.compute() for r in result] if work == "lu" else result.compute()
    if work == "matmul":
        return samples, residual_matmul(a_np, b_np, result, rng)
    if work == "lu":
        p, lower, upper = result
        return samples, residual_lu(a_np, p, lower, upper, rng)
    return samples, residual_cholesky(a_np, result, rng)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("work", choices=["matmul", "cholesky", "lu"])
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--engine", choices=["numpy", "dask"], required=True)
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="numpy: BLAS threads")
    parser.add_argument("--chunks", type=int, help="dask: chunk side")
    parser.add_argument("--workers", type=int, default=2, help="dask: threads of the threaded scheduler")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.engine == "dask" and not args.chunks:
        parser.error("--engine dask needs --chunks")
    if args.n < 1 or args.repeat < 1 or args.threads < 1 or args.workers < 1:
        parser.error("--n, --repeat, --threads and --workers must be at least 1")

    rng = np.random.default_rng(1)
    if args.engine == "numpy":
        samples, residual = run_numpy(args.work, args.n, args.threads, args.repeat, rng)
        peer = f"numpy, {args.threads} BLAS thread{'s' if args.threads != 1 else ''}"
    else:
        samples, residual = run_dask(args.work, args.n, args.chunks, args.workers, args.repeat, rng)
        peer = f"dask.array, chunks {args.chunks}"

    import dask
    try:
        import scipy
        scipy_version = scipy.__version__
    except ImportError:
        scipy_version = None
    flops = {"matmul": 2.0 * args.n ** 3, "cholesky": args.n ** 3 / 3.0, "lu": 2.0 * args.n ** 3 / 3.0}[args.work]
    tolerance = 30 * args.n * np.finfo(float).eps
    line = {
        "peer": peer, "engine": args.engine, "work": args.work, "n": args.n, "flops": flops,
        "threads": args.threads if args.engine == "numpy" else 1, "workers": args.workers if args.engine == "dask" else None,
        "chunks": args.chunks, "samples_s": samples, "median_s": statistics.median(samples),
        "residual": residual, "tolerance": tolerance,
        "versions": {"numpy": np.__version__, "dask": dask.__version__, "threadpoolctl": threadpoolctl.__version__,
                     "scipy": scipy_version, "python": sys.version.split()[0]},
        "blas": [{k: i.get(k) for k in ("internal_api", "version", "architecture", "threading_layer")}
                 for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"],
    }
    print(json.dumps(line), flush=True)
    if not residual <= tolerance:
        sys.exit(f"la_python: {args.engine} {args.work} n={args.n}: residual {residual:.3g} is above {tolerance:.3g}")


if __name__ == "__main__":
    main()
