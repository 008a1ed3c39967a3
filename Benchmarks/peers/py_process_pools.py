"""Round trip of empty tasks in worker processes, in Python: a dagrun graph file of `noop`
tasks run by Dask's multiprocessing scheduler and by a plain multiprocessing Pool.

    py_process_pools.py FILE [--workers N] [--repeat R]

Prints one line of JSON per runtime, with peer, threads (worker processes), tasks,
run_s (median of R runs), run_s_best, ns_per_task (run_s / tasks) and every sample.

- "dask multiprocessing": dask.multiprocessing.get with a warm ProcessPoolExecutor of N
  processes (started and used once before timing, so its start-up is left out as dagrun's
  is), optimize_graph=False (Dask would otherwise fuse a chain into one task and measure
  nothing), asking for the graph's sinks. Each get includes Dask's own graph preparation.
- "python multiprocessing.Pool": a warm Pool of N processes; tasks are submitted in the
  file's (topological) order with apply_async as soon as their inputs are done, the way a
  minimal scheduler would; each task's result travels back to the parent (pickled).
"""

import argparse
import json
import multiprocessing
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import dask
import dask.multiprocessing


def noop(*inputs):
    """The task body: takes its inputs' results (all None) and returns None."""
    return None


def load(path):
    with open(path, "rb") as f:
        tasks = json.load(f)["tasks"]
    for t in tasks:
        if t["op"] != "noop":
            sys.exit(f"py_process_pools: task '{t['id']}' has op '{t['op']}': only noop tasks are run")
    return tasks


def sinks(tasks):
    used = {i for t in tasks for i in t.get("inputs", ())}
    return [t["id"] for t in tasks if t["id"] not in used]


def run_dask(tasks, pool):
    dsk = {t["id"]: (noop, *t.get("inputs", ())) for t in tasks}
    keys = sinks(tasks)
    t0 = time.perf_counter()
    dask.multiprocessing.get(dsk, keys, pool=pool, optimize_graph=False)
    return time.perf_counter() - t0


def run_pool(tasks, pool):
    """Submits each task when its inputs are done; waits for the last."""
    consumers = {}
    waiting = {}
    for t in tasks:
        ins = t.get("inputs", ())
        waiting[t["id"]] = len(ins)
        for i in ins:
            consumers.setdefault(i, []).append(t["id"])
    by_id = {t["id"]: t for t in tasks}
    t0 = time.perf_counter()
    pending = {}
    ready = [t["id"] for t in tasks if waiting[t["id"]] == 0]
    results = {}
    finished = 0
    while finished < len(tasks):
        for k in ready:
            pending[k] = pool.apply_async(noop, tuple(results.get(i) for i in by_id[k].get("inputs", ())))
        ready = []
        # Wait for the oldest pending task, then collect every one that is done.
        first = next(iter(pending))
        pending[first].wait()
        for k in [k for k, r in pending.items() if r.ready()]:
            results[k] = pending.pop(k).get()
            finished += 1
            for c in consumers.get(k, ()):
                waiting[c] -= 1
                if waiting[c] == 0:
                    ready.append(c)
    return time.perf_counter() - t0


def report(peer, workers, tasks, samples):
    run = statistics.median(samples)
    print(json.dumps({"peer": peer, "threads": workers, "tasks": len(tasks), "run_s": run, "run_s_best": min(samples),
                      "ns_per_task": run / len(tasks) * 1e9, "ns_per_task_best": min(samples) / len(tasks) * 1e9,
                      "samples": samples}), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    tasks = load(a.file)
    with ProcessPoolExecutor(a.workers) as pool:
        list(pool.map(noop, range(a.workers * 4)))  # start the processes
        run_dask(tasks[:10], pool)
        report("dask multiprocessing", a.workers, tasks, [run_dask(tasks, pool) for _ in range(a.repeat)])
    with multiprocessing.Pool(a.workers) as pool:
        pool.map(noop, range(a.workers * 4))
        report("python multiprocessing.Pool", a.workers, tasks, [run_pool(tasks, pool) for _ in range(a.repeat)])


if __name__ == "__main__":
    main()
