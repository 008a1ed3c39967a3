"""Run a dagrun graph (format v1) of `noop` tasks with Dask's local schedulers.

    dask_run.py FILE [--workers N] [--repeat R] [--scheduler threaded,sync]

Prints one line of JSON per scheduler, with the fields of tbb_flow:
peer ("dask threaded" or "dask sync"), threads, tasks, edges, parse_s (json.load),
build_s (the graph dict: one `(noop, *inputs)` tuple per task), run_s (median of R
calls of the scheduler's get, asking for the graph's sinks), run_s_best, ns_per_task
and ns_per_task_best (run_s / tasks), and every sample.

A get call includes Dask's own preparation of the graph (convert_legacy_graph and
dask.order), which Dask does on every compute. order_s times that preparation alone,
once, so that a reader can tell it from dispatch; it is not subtracted from run_s.

Dask costs about 100-250 µs per task here: give it graphs of 10k tasks, not 1M.
"""

import argparse
import json
import statistics
import sys
import time

import dask
import dask.threaded
from dask._task_spec import convert_legacy_graph
from dask.order import order


def noop(*inputs):
    """The task body: takes its inputs' results (all None) and returns None."""
    return None


def load(path):
    with open(path, "rb") as f:
        doc = json.load(f)
    tasks = doc["tasks"]
    for task in tasks:
        if task["op"] != "noop":
            sys.exit(f"dask_run: {path}: task '{task['id']}' has op '{task['op']}': only noop tasks are run")
    return tasks


def build(tasks):
    """The Dask graph: {id: (noop, input_id, ...)}; string arguments that are keys are dependencies."""
    return {t["id"]: (noop, *t.get("inputs", ())) for t in tasks}


def sinks(tasks):
    consumed = {i for t in tasks for i in t.get("inputs", ())}
    return [t["id"] for t in tasks if t["id"] not in consumed]


def measure(name, get, threads, tasks, edges, parse_s, repeat):
    build_samples, run_samples, cpu_samples = [], [], []
    keys = sinks(tasks)
    for _ in range(repeat):
        t0 = time.perf_counter()
        dsk = build(tasks)
        t1 = time.perf_counter()
        c1 = time.process_time()
        get(dsk, keys)
        t2 = time.perf_counter()
        cpu_samples.append(time.process_time() - c1)
        build_samples.append(t1 - t0)
        run_samples.append(t2 - t1)
    t0 = time.perf_counter()
    order(convert_legacy_graph(build(tasks)))
    order_s = time.perf_counter() - t0
    n = len(tasks)
    run_s, best = statistics.median(run_samples), min(run_samples)
    return {
        "peer": name,
        "version": dask.__version__,
        "threads": threads,
        "tasks": n,
        "edges": edges,
        "repeat": repeat,
        "parse_s": parse_s,
        "build_s": statistics.median(build_samples),
        "order_s": order_s,
        "run_s": run_s,
        "run_s_best": best,
        "ns_per_task": run_s / n * 1e9,
        "ns_per_task_best": best / n * 1e9,
        "samples": [{"build_s": b, "run_s": r, "cpu_s": c} for b, r, c in zip(build_samples, run_samples, cpu_samples)],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file")
    parser.add_argument("--workers", type=int, default=1, help="threads of the threaded scheduler")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scheduler", default="threaded,sync", help="comma-separated: threaded, sync")
    args = parser.parse_args()

    t0 = time.perf_counter()
    tasks = load(args.file)
    parse_s = time.perf_counter() - t0
    edges = sum(len(t.get("inputs", ())) for t in tasks)

    for scheduler in args.scheduler.split(","):
        if scheduler == "threaded":
            def get(dsk, keys):
                return dask.threaded.get(dsk, keys, num_workers=args.workers)
            line = measure("dask threaded", get, args.workers, tasks, edges, parse_s, args.repeat)
        elif scheduler == "sync":
            line = measure("dask sync", dask.get, 1, tasks, edges, parse_s, args.repeat)
        else:
            sys.exit(f"dask_run: unknown scheduler '{scheduler}' (threaded, sync)")
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
