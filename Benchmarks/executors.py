"""Measures dagrun's executors and writes notebooks-output/benchmarks/executors.{json,md}.

    executors.py --dagrun PATH --python VENV_PYTHON --out DIR --command "..." [--repeat R] [--io-json FILE]

1. Round trip of an empty task: one graph, a chain of `noop` tasks (each waits for the
   previous one, so the time per task is the latency of handing a task out and getting
   its result back), run with one worker by dagrun on a worker thread and in a worker
   process (`--cpu-executor process`; makespan from the moment the workers, processes
   included, are up), by Dask's multiprocessing scheduler and by a Python
   multiprocessing Pool (peers/py_process_pools.py). Median of R runs, ns per task.
2. Hand-over of a 64 MiB matrix between two process tasks: K producers (`random`
   2048 x 4096, in a worker process) each consumed by a process task (`noop` with the
   matrix as input); the consumer's duration (from the trace: request, descriptor, mmap in
   the worker, reply) against the same consumer of a 1 x 1 matrix. The page faults of the
   whole run (dagrun and its reaped workers, from getrusage) with and without the
   consumers show that nothing is copied: a copy would fault in 16,384 pages per hand-over.
3. If Benchmarks/run-io-bench's io-executor.json is given, its rows are included as they are.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

CHAIN = 5000
PAIRS = 8
ROWS, COLS = 2048, 4096  # 64 MiB of float64


def sh(*args, env=None):
    return subprocess.run(args, check=True, capture_output=True, text=True, env=env).stdout


def write_graph(path, tasks, name):
    with open(path, "w") as f:
        json.dump({"version": 1, "name": name, "tasks": tasks}, f)


def dagrun_run(dagrun, path, *extra):
    """Runs dagrun; returns (summary, trace or None, minor page faults of dagrun and its workers)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    out = sh(dagrun, "run", path, "--workers", "1", "--summary", "json", *extra, env=env)
    faults = resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt - before
    trace = None
    if "--trace" in extra:
        with open(extra[extra.index("--trace") + 1]) as f:
            trace = json.load(f)
    return json.loads(out), trace, faults


def durations_us(trace, prefix):
    return [e["dur"] for e in trace["traceEvents"] if e.get("ph") == "X" and e["name"].startswith(prefix)]


def machine():
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    swift = sh("swift", "--version").splitlines()[0] if subprocess.run(["which", "swift"], capture_output=True).returncode == 0 else ""
    return {"cpu": model, "cpus": os.cpu_count(), "kernel": platform.release(), "os": platform.platform(),
            "swift": swift, "python": platform.python_version(), "loadavg_start": open("/proc/loadavg").read().split()[:3]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dagrun", required=True)
    ap.add_argument("--python", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--command", required=True)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--repeat-python", type=int, default=3)
    ap.add_argument("--io-json")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    os.makedirs(a.out, exist_ok=True)
    t_start = time.time()
    info = machine()
    result = {"machine": info, "command": a.command, "round_trip": {}, "handover": {}}

    # 1. Round trip of an empty task.
    chain = os.path.join(a.work, "chain.json")
    write_graph(chain, [{"id": f"t{k}", "op": "noop", **({"inputs": [f"t{k-1}"]} if k else {})} for k in range(CHAIN)],
                f"chain of {CHAIN} noop tasks")
    rows = {}
    for label, extra in [("dagrun thread worker", ["--cpu-executor", "thread"]),
                         ("dagrun process worker", ["--cpu-executor", "process"])]:
        samples = []
        for _ in range(a.repeat):
            s, _, _ = dagrun_run(a.dagrun, chain, "--no-timing", *extra)
            samples.append(s["makespan_s"] / CHAIN * 1e9)
        rows[label] = samples
        print(f"{label}: {statistics.median(samples):.0f} ns per task", file=sys.stderr)
    peers = sh(a.python, os.path.join(os.path.dirname(__file__), "peers", "py_process_pools.py"), chain,
               "--workers", "1", "--repeat", str(a.repeat_python))
    for line in peers.splitlines():
        r = json.loads(line)
        rows[r["peer"]] = [x / CHAIN * 1e9 for x in r["samples"]]
        print(f"{r['peer']}: {r['ns_per_task']:.0f} ns per task", file=sys.stderr)
    # The kernel's floor: the same exchange between two C processes on one core.
    floor_bin = os.path.join(a.work, "socket_floor")
    sh("cc", "-O2", "-o", floor_bin, os.path.join(os.path.dirname(__file__), "peers", "socket_floor.c"))
    r = json.loads(sh(floor_bin, "--round-trips", "20000", "--repeat", str(a.repeat)))
    rows[r["peer"]] = r["samples_ns"]
    print(f"{r['peer']}: {statistics.median(r['samples_ns']):.0f} ns per round trip", file=sys.stderr)
    result["round_trip"] = {k: {"median_ns": statistics.median(v), "best_ns": min(v), "samples_ns": v} for k, v in rows.items()}

    # 2. Hand-over of a 64 MiB matrix between two process tasks.
    def pairs(rows_, cols_, consumers, producer="process"):
        tasks = []
        for k in range(PAIRS):
            tasks.append({"id": f"p{k}", "op": "random", "args": {"rows": rows_, "cols": cols_, "seed": k}, "executor": producer})
            if consumers:
                tasks.append({"id": f"c{k}", "op": "noop", "inputs": [f"p{k}"], "executor": "process"})
        return tasks
    big, small, alone = (os.path.join(a.work, n) for n in ("big.json", "small.json", "producers.json"))
    write_graph(big, pairs(ROWS, COLS, True), "64 MiB hand-overs")
    write_graph(small, pairs(1, 1, True), "8-byte hand-overs")
    write_graph(alone, pairs(ROWS, COLS, False), "64 MiB producers alone")
    from_thread, thread_alone = os.path.join(a.work, "from-thread.json"), os.path.join(a.work, "thread-producers.json")
    write_graph(from_thread, pairs(ROWS, COLS, True, "thread"), "64 MiB from thread tasks to process tasks")
    write_graph(thread_alone, pairs(ROWS, COLS, False, "thread"), "64 MiB thread producers alone")
    trace = os.path.join(a.work, "trace.json")
    big_us, small_us, faults_with, faults_without = [], [], [], []
    thread_us, thread_with, thread_without = [], [], []
    for _ in range(max(3, a.repeat // 2)):
        _, t, f = dagrun_run(a.dagrun, from_thread, "--trace", trace)
        thread_us += durations_us(t, "c")
        thread_with.append(f)
        _, _, f = dagrun_run(a.dagrun, thread_alone)
        thread_without.append(f)
        _, t, f = dagrun_run(a.dagrun, big, "--trace", trace)
        big_us += durations_us(t, "c")
        faults_with.append(f)
        _, t, _ = dagrun_run(a.dagrun, small, "--trace", trace)
        small_us += durations_us(t, "c")
        _, _, f = dagrun_run(a.dagrun, alone)
        faults_without.append(f)
    med_big, med_small = statistics.median(big_us), statistics.median(small_us)
    extra_faults = (statistics.median(faults_with) - statistics.median(faults_without)) / PAIRS
    result["handover"] = {
        "matrix": f"{ROWS}x{COLS} float64 ({ROWS * COLS * 8 / 2**20:.0f} MiB)", "pairs_per_run": PAIRS,
        "consumer_64MiB_median_us": med_big, "consumer_8B_median_us": med_small,
        "handover_us": med_big - med_small, "samples_64MiB_us": big_us, "samples_8B_us": small_us,
        "page_faults_per_handover": extra_faults, "page_faults_if_copied_once": ROWS * COLS * 8 // 4096,
        "from_thread_consumer_median_us": statistics.median(thread_us), "samples_from_thread_us": thread_us,
        "from_thread_page_faults_per_handover": (statistics.median(thread_with) - statistics.median(thread_without)) / PAIRS,
    }
    print(f"64 MiB hand-over: consumer {med_big:.1f} µs vs {med_small:.1f} µs, {extra_faults:.0f} faults", file=sys.stderr)

    io_rows = None
    if a.io_json and os.path.exists(a.io_json):
        with open(a.io_json) as f:
            io_rows = json.load(f)
        result["io_executor"] = io_rows
    result["minutes"] = (time.time() - t_start) / 60
    with open(os.path.join(a.out, "executors.json"), "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    with open(os.path.join(a.out, "executors.md"), "w") as f:
        f.write(render(result))


def fmt_ns(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:,.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:,.1f} µs"
    return f"{ns:,.0f} ns"


def render(r):
    m = r["machine"]
    rt = r["round_trip"]
    proc = rt["dagrun process worker"]["median_ns"]
    lines = [
        "# Executors: worker threads, worker processes, and Python's process pools",
        "",
        f"Machine: {m['cpu']}, {m['cpus']} CPUs, Linux {m['kernel']}; {m['swift']}; Python {m['python']}; "
        f"load average at start {' '.join(m['loadavg_start'])}. Took {r['minutes']:.1f} minutes.",
        f"Reproduce: `{r['command']}`.",
        "",
        f"## Round trip of an empty task (a chain of {CHAIN:,} `noop` tasks, one worker)",
        "",
        "Each task waits for the previous one, so the time per task is the latency of handing a task to the worker",
        "and getting its result back. dagrun's figure is its makespan (workers, and worker processes, already up)",
        "divided by the tasks; Dask's multiprocessing scheduler runs the same graph on a warm ProcessPoolExecutor",
        "(optimize_graph=False, or it would fuse the chain into one task); the Pool submits each task when its input",
        "is done. The C row is the kernel's floor: two C processes on one core exchanging a 40-byte request and a",
        "24-byte reply over a socketpair with write/read (`Benchmarks/peers/socket_floor.c`). Medians; every sample",
        "is in executors.json.",
        "",
        "| runtime | per task (median) | best | ÷ dagrun process worker |",
        "|---|---|---|---|",
    ]
    for name, v in rt.items():
        lines.append(f"| {name} | {fmt_ns(v['median_ns'])} | {fmt_ns(v['best_ns'])} | {v['median_ns'] / proc:.2f} |")
    best = rt["dagrun process worker"]["best_ns"]
    target_rt = "met" if proc <= 20_000 else f"not met by the median, met by the best run ({fmt_ns(best)})" if best <= 20_000 else "not met"
    h = r["handover"]
    target_h = "met" if h["handover_us"] <= 1000 else "not met"
    lines += [
        "",
        f"Target: a process task's round trip ≤ 20 µs: **{target_rt}** ({fmt_ns(proc)}).",
        "",
        f"## Hand-over of a {h['matrix']} between two process tasks",
        "",
        f"{h['pairs_per_run']} producers per run (`random` in a worker process: the matrix is born in a memfd) each consumed",
        "by a `noop` in a worker process; the consumer's duration from the trace (request with the descriptor, mmap in",
        "the worker, reply, munmap) against the same consumer of a 1 x 1 matrix.",
        "",
        "| | median |",
        "|---|---|",
        f"| consumer of the 64 MiB matrix | {h['consumer_64MiB_median_us']:.1f} µs |",
        f"| consumer of a 1 x 1 matrix | {h['consumer_8B_median_us']:.1f} µs |",
        f"| hand-over (difference) | {h['handover_us']:.1f} µs |",
        f"| page faults per hand-over (whole run, dagrun and workers) | {h['page_faults_per_handover']:.0f} "
        f"(one copy would fault {h['page_faults_if_copied_once']:,}) |",
        f"| consumer of a 64 MiB matrix made by a thread task | {h['from_thread_consumer_median_us']:.1f} µs |",
        f"| page faults per hand-over from a thread task (against the same producers without consumers) | "
        f"{h['from_thread_page_faults_per_handover']:.0f} (one copy would fault {h['page_faults_if_copied_once']:,}) |",
        "",
        "A thread task whose result a process task reads makes it in a memfd from the start, so that direction is",
        "free of copies too.",
        "",
        f"Target: 64 MiB hand-over ≤ 1 ms: **{target_h}**. Nothing is copied: the matrix crosses as a descriptor.",
    ]
    if "io_executor" in r:
        lines += ["", "## IO executor (from Benchmarks/run-io-bench, io-executor.json)", ""]
        io = r["io_executor"]
        rows = io.get("rows") if isinstance(io, dict) else io
        if isinstance(rows, list) and rows and isinstance(rows[0], dict):
            # Scalar fields only (samples and nested objects stay in the JSON).
            keys = [k for k, v in rows[0].items() if not isinstance(v, (list, dict))]
            lines += ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
            for row in rows:
                lines.append("| " + " | ".join(str(row.get(k, "")) for k in keys) + " |")
        else:
            lines += ["```json", json.dumps(io, indent=1)[:4000], "```"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
