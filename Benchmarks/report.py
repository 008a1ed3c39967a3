"""Collects the samples of Benchmarks/run-overhead and writes its report (stdlib only).

    report.py record SAMPLES.jsonl --case LABEL --runtime NAME --workers N --size N [--rep I] < OUTPUT
        Appends one line to SAMPLES.jsonl: the case, the runtime, and the JSON the runtime
        printed on stdin (dagrun's --summary json, or one line of tbb_flow / dask_run).

    report.py render SAMPLES.jsonl --cases CASES.json --command "..." --out DIR
        Writes DIR/overhead.json (machine, command, cases, every sample) and
        DIR/overhead.md (one table per case: ns per task median and best, dagrun ÷ peer,
        ingest seconds).

Every figure is the run phase only, divided by the number of tasks the runtime reported.
"""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys

RUNTIMES = ["dagrun", "oneTBB flow graph", "dask threaded", "dask sync"]


# MARK: record

def slim(output):
    """dagrun's summary lists the tasks of its critical paths (all of them, for a chain): keep their counts."""
    path = output.get("critical_path")
    if isinstance(path, dict):
        for key in [k for k, v in path.items() if isinstance(v, list)]:
            path[key.replace("_tasks", "_task_count")] = len(path.pop(key))
    return output


def record(args):
    text = sys.stdin.read()
    try:
        output = json.loads(text)
    except json.JSONDecodeError as e:
        sys.exit(f"report.py record: {args.runtime} on {args.case} printed no JSON ({e}): {text[:300]!r}")
    line = {"case": args.case, "runtime": args.runtime, "workers": args.workers, "size": args.size,
            "rep": args.rep, "output": slim(output)}
    with open(args.samples, "a") as f:
        f.write(json.dumps(line) + "\n")


# MARK: samples to figures

def run_seconds(sample):
    """The run-phase seconds of each repetition in one sample line (tbb and dask repeat in-process)."""
    out = sample["output"]
    if sample["runtime"] == "dagrun":
        # makespan_s: from the moment dagrun's pinned workers are up to the last task's end
        # (thread creation and binding excluded, as oneTBB's threads are warm after its first
        # repetition and Dask keeps its pool).
        return [out["makespan_s"]]
    return [s["run_s"] for s in out["samples"]]


def cpu_seconds(sample):
    """CPU seconds of each repetition: dagrun's worker threads; the peers' whole process."""
    out = sample["output"]
    if sample["runtime"] == "dagrun":
        return [sum(w.get("cpu_s", 0) for w in out["workers"])]
    return [s.get("cpu_s", 0) for s in out["samples"]]


def ingest_seconds(sample):
    """What it took to get from the file to a runnable graph, split as the runtime splits it."""
    out = sample["output"]
    if sample["runtime"] == "dagrun":
        return {"load": out["phases_s"]["load"], "validate": out["phases_s"]["validate"]}
    parts = {"parse": out["parse_s"], "build": out["build_s"]}
    if "order_s" in out:
        parts["order"] = out["order_s"]
    return parts


def summarise(samples):
    """{(case, runtime, workers): figures} from the sample lines."""
    groups = {}
    for s in samples:
        groups.setdefault((s["case"], s["runtime"], s["workers"]), []).append(s)
    figures = {}
    for key, group in groups.items():
        tasks = group[0]["output"]["tasks"]
        runs = [r for s in group for r in run_seconds(s)]
        cpus = [c for s in group for c in cpu_seconds(s)]
        ingest = {}
        for s in group:
            for part, value in ingest_seconds(s).items():
                ingest.setdefault(part, []).append(value)
        figures[key] = {
            "tasks": tasks,
            "runs": len(runs),
            "ns_median": statistics.median(runs) / tasks * 1e9,
            "ns_best": min(runs) / tasks * 1e9,
            "cpu_ns_median": statistics.median(cpus) / tasks * 1e9 if cpus else None,
            "ingest": {part: statistics.median(v) for part, v in ingest.items()},
        }
    return figures


# MARK: machine

def command_output(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine(samples):
    lscpu = command_output(["lscpu"])

    def field(name):
        m = re.search(rf"^{re.escape(name)}:\s*(.+)$", lscpu, re.M)
        return m.group(1).strip() if m else None

    def first_line(argv):
        lines = command_output(argv).strip().splitlines()
        return lines[0] if lines else None

    versions = {}
    for s in samples:
        if s["runtime"] != "dagrun" and "version" in s["output"]:
            versions[s["runtime"]] = s["output"]["version"]
    mem_gib = None
    try:
        with open("/proc/meminfo") as f:
            kib = int(re.search(r"MemTotal:\s*(\d+)", f.read()).group(1))
            mem_gib = round(kib / 2**20, 1)
    except (OSError, AttributeError):
        pass
    return {
        "cpu_model": field("Model name"),
        "cpus": os.cpu_count(),
        "threads_per_core": field("Thread(s) per core"),
        "hypervisor": field("Hypervisor vendor"),
        "memory_gib": mem_gib,
        "kernel": platform.release(),
        "swift": first_line(["swift", "--version"]),
        "gxx": first_line(["g++", "--version"]),
        "python": platform.python_version(),
        "onetbb": versions.get("oneTBB flow graph"),
        "dask": versions.get("dask threaded") or versions.get("dask sync"),
        "loadavg_end": open("/proc/loadavg").read().split()[:3] if os.path.exists("/proc/loadavg") else None,
    }


# MARK: markdown

def ns(x):
    if x is None:
        return "—"
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "—"
    r = a / b
    return f"{r:.2f}" if r >= 0.1 else f"{r:.3f}" if r >= 0.001 else f"{r:.1e}"


def ingest_text(parts):
    total = sum(parts.values())
    detail = " + ".join(f"{k} {v:.3g}" for k, v in parts.items())
    return f"{total:.3g} ({detail})"


def render_md(cases, figures, mach, command, minutes, when):
    rows = [
        ("dagrun", "dagrun", [1, 2]),
        ("oneTBB flow graph", "oneTBB flow graph", [1, 2]),
        ("Dask threaded", "dask threaded", [1, 2]),
        ("Dask sync", "dask sync", [1]),
    ]
    out = []
    out.append("# Dispatch overhead: dagrun and its peers\n")
    out.append(f"Written by `Benchmarks/run-overhead` on {when} ({minutes:.1f} minutes). Empty (`noop`) tasks; "
               "**ns per task = run phase ÷ tasks** (dagrun: its makespan once the pinned workers are up, "
               "per-task timing off), the graph already built (file reading, validation and "
               "graph construction are the *ingest* column). Median of every run, best in parentheses; "
               "**dagrun ÷ peer** divides the medians at the same worker count (above 1: dagrun is slower). "
               "Dask runs smaller graphs of the same shape (it costs ~100 µs a task), so its rows have their own task count; "
               "per-task figures still compare. Dask sync is single-threaded and is compared with dagrun on 1 worker.\n")
    out.append("## Machine\n")
    out.append(f"- CPU: {mach['cpu_model']}, {mach['cpus']} logical CPUs, {mach['threads_per_core']} thread(s) per core"
               + (f", {mach['hypervisor']} guest" if mach.get("hypervisor") else "")
               + (f", {mach['memory_gib']} GiB" if mach.get("memory_gib") else ""))
    out.append(f"- Linux {mach['kernel']}; load average (1, 5, 15 min) {' '.join(mach.get('loadavg_start') or ['?'])} "
               f"at the start, {' '.join(mach.get('loadavg_end') or ['?'])} at the end (above 0.5 at the start: "
               "something else was running)")
    out.append(f"- {mach['swift']}")
    out.append(f"- {mach['gxx']} (`-O2`), oneTBB {mach['onetbb']} (Debian `libtbb-dev`)")
    out.append(f"- Dask {mach['dask']} on Python {mach['python']} (venv `Benchmarks/.venv`)\n")
    out.append("Reproduce: `" + command + "` from the repository root.\n")
    out.append("Two vCPUs of a shared VM: figures move by ±30 % between runs; read ratios, not records.\n")

    # Summary: one line per case.
    out.append("## Summary (ns per task, medians)\n")
    out.append("| case | dagrun 1 w | dagrun 2 w | oneTBB 1 w | oneTBB 2 w | Dask threaded 2 w | Dask sync | dagrun ÷ oneTBB, 1 / 2 w |")
    out.append("|---|---|---|---|---|---|---|---|")
    for case in cases:
        f = lambda rt, w: (figures.get((case["label"], rt, w)) or {}).get("ns_median")
        out.append(f"| {case['label']} | {ns(f('dagrun', 1))} | {ns(f('dagrun', 2))} | {ns(f('oneTBB flow graph', 1))} "
                   f"| {ns(f('oneTBB flow graph', 2))} | {ns(f('dask threaded', 2))} | {ns(f('dask sync', 1))} "
                   f"| {ratio(f('dagrun', 1), f('oneTBB flow graph', 1))} / {ratio(f('dagrun', 2), f('oneTBB flow graph', 2))} |")
    out.append("")

    for case in cases:
        label = case["label"]
        out.append(f"## {label}: {case['title']}\n")
        out.append(f"Graph: `dagrun gen {case['gen']} --op noop`"
                   + (f"; Dask: `dagrun gen {case['dask_gen']} --op noop`" if case.get("dask_gen") else "; no Dask run at this size")
                   + ".\n")
        out.append("| runtime | workers | tasks | ns/task median (best) | CPU ns/task | dagrun ÷ peer | ingest s (parts) | runs |")
        out.append("|---|---|---|---|---|---|---|---|")
        for name, rt, workers in rows:
            for w in workers:
                fig = figures.get((label, rt, w))
                if fig is None:
                    continue
                dag = figures.get((label, "dagrun", w))
                r = "—" if rt == "dagrun" else ratio(dag and dag["ns_median"], fig["ns_median"])
                wtext = "1 (sync)" if rt == "dask sync" else str(w)
                out.append(f"| {name} | {wtext} | {fig['tasks']:,} | {ns(fig['ns_median'])} ({ns(fig['ns_best'])}) "
                           f"| {ns(fig.get('cpu_ns_median'))} | {r} | {ingest_text(fig['ingest'])} | {fig['runs']} |")
        out.append("")
    out.append("CPU ns/task: CPU time over the run phase divided by tasks (dagrun: its worker threads, spinning "
               "and parking included; oneTBB and Dask: the whole process), median; with 2 workers it is up to twice "
               "the wall figure when both work.\n")
    out.append("Ingest parts: dagrun `load` (JSON to specs) + `validate` (checks, order, critical path); "
               "oneTBB `parse` (once per process) + `build` (nodes and edges); Dask `parse` (json.load) + `build` "
               "(the dict) + `order` (convert_legacy_graph and dask.order, timed alone once — Dask also does this "
               "inside every run, so it is part of Dask's ns per task as well).\n")
    return "\n".join(out)


def render(args):
    with open(args.samples) as f:
        samples = [json.loads(line) for line in f if line.strip()]
    with open(args.cases) as f:
        cases = json.load(f)
    figures = summarise(samples)
    mach = machine(samples)
    mach["loadavg_start"] = args.load_start.split() or None
    when = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    os.makedirs(args.out, exist_ok=True)
    doc = {
        "what": "dispatch overhead of empty tasks; run phase seconds per task",
        "written": when,
        "minutes": args.minutes,
        "command": args.command,
        "machine": mach,
        "cases": cases,
        "figures": [{"case": c, "runtime": rt, "workers": w, **fig} for (c, rt, w), fig in sorted(figures.items())],
        "samples": samples,
    }
    with open(os.path.join(args.out, "overhead.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    with open(os.path.join(args.out, "overhead.md"), "w") as f:
        f.write(render_md(cases, figures, mach, args.command, args.minutes, when))
    print(f"wrote {args.out}/overhead.json and overhead.md")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    r = sub.add_parser("record")
    r.add_argument("samples")
    r.add_argument("--case", required=True)
    r.add_argument("--runtime", required=True, choices=RUNTIMES)
    r.add_argument("--workers", type=int, required=True)
    r.add_argument("--size", type=int, required=True)
    r.add_argument("--rep", type=int, default=0)
    m = sub.add_parser("render")
    m.add_argument("samples")
    m.add_argument("--cases", required=True)
    m.add_argument("--command", required=True)
    m.add_argument("--minutes", type=float, default=0)
    m.add_argument("--load-start", default="", help="/proc/loadavg's first three fields when the runs began")
    m.add_argument("--out", required=True)
    args = parser.parse_args()
    record(args) if args.what == "record" else render(args)


if __name__ == "__main__":
    main()
