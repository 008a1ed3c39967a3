"""Collects the samples of Benchmarks/run-linear-algebra and writes its report (stdlib only).

    la_report.py record SAMPLES.jsonl --case C --label L [--tile T] [--how TEXT] < LINE
        Appends a peer's JSON line (blas_single, la_python) with its case and label.

    la_report.py record-dagrun SAMPLES.jsonl --case C --label L --tile T --flops F --ops OPS RUN_DIR
        Reads RUN_DIR/run-K.summary.json and run-K.trace.json (K = 0, 1, ...: dagrun's
        --summary json and --trace of each timed run) and appends one line: makespan of
        each run, and the span of the tiled algorithm's tasks (the ops OPS, e.g.
        gemm or potrf,trsm,syrk,gemm) from the first start to the last end.

    (dagrun-la-bench prints a peer's line: `record` takes it, with "peer": "dagrun library".)

    la_report.py record-failure SAMPLES.jsonl --case C --label L [--tile T] --message M
        Appends a row that failed, with what went wrong.

    la_report.py render SAMPLES.jsonl --cases CASES.json --command "..." --out DIR [--quick]
        Writes DIR/linear-algebra.json (machine, peak, every sample) and
        DIR/linear-algebra.md (medians, GFLOP/s, % of peak, dagrun ÷ peer).

GFLOP/s counts 2n³ for a matrix product, n³/3 for a Cholesky factorisation and 2n³/3 for an
LU factorisation, divided
by the median seconds of the runs.
"""

import argparse
import datetime
import json
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402  (the overhead report's machine description)


# MARK: record

def append(path, line):
    with open(path, "a") as f:
        f.write(json.dumps(line) + "\n")


def record(args):
    text = sys.stdin.read().strip()
    try:
        output = json.loads(text.splitlines()[-1]) if text else None
    except json.JSONDecodeError:
        output = None
    if not isinstance(output, dict):
        append(args.samples, {"case": args.case, "label": args.label, "tile": args.tile,
                              "failed": f"printed no JSON: {text[:300]!r}"})
        return
    append(args.samples, {"case": args.case, "label": args.label, "tile": args.tile, "how": args.how, **output})


def record_dagrun(args):
    ops = set(args.ops.split(","))
    makespans, spans, tasks = [], [], None
    k = 0
    while os.path.exists(os.path.join(args.run_dir, f"run-{k}.summary.json")):
        with open(os.path.join(args.run_dir, f"run-{k}.summary.json")) as f:
            summary = json.load(f)
        with open(os.path.join(args.run_dir, f"run-{k}.trace.json")) as f:
            events = [e for e in json.load(f)["traceEvents"] if e.get("ph") == "X"]
        tiled = [e for e in events if e.get("cat") in ops]
        makespans.append(summary["makespan_s"])
        if tiled:
            spans.append((max(e["ts"] + e["dur"] for e in tiled) - min(e["ts"] for e in tiled)) * 1e-6)
        tasks = summary["tasks"]
        k += 1
    if not makespans:
        append(args.samples, {"case": args.case, "label": args.label, "tile": args.tile, "failed": "no run recorded"})
        return
    append(args.samples, {
        "case": args.case, "label": args.label, "tile": args.tile, "peer": "dagrun", "flops": args.flops,
        "tasks": tasks, "samples_s": makespans, "median_s": statistics.median(makespans),
        "span_samples_s": spans, "span_median_s": statistics.median(spans) if spans else None,
        "span_ops": sorted(ops),
    })


def record_failure(args):
    append(args.samples, {"case": args.case, "label": args.label, "tile": args.tile, "failed": args.message})


# MARK: peak

def cpuinfo():
    """The first processor's fields of /proc/cpuinfo."""
    fields = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if not line.strip():
                    break
                key, _, value = line.partition(":")
                fields[key.strip()] = value.strip()
    except OSError:
        pass
    return fields


def peak(samples):
    """The machine's double-precision peak: cores x FLOP per cycle x clock, and how it was found."""
    info = cpuinfo()
    flags = set(info.get("flags", "").split())
    lscpu = report.command_output(["lscpu"])
    cpus = os.cpu_count() or 1
    tpc = re.search(r"^Thread\(s\) per core:\s*(\d+)", lscpu, re.M)
    threads_per_core = int(tpc.group(1)) if tpc else 1
    cores = max(1, cpus // threads_per_core)
    vendor, family, model = info.get("vendor_id", ""), int(info.get("cpu family", "0") or 0), int(info.get("model", "0") or 0)

    amd = vendor == "AuthenticAMD"
    if "avx512f" in flags and amd and family == 25:
        per_cycle, unit = 16, ("AVX-512 on Zen 4, which runs each 512-bit FMA as two 256-bit halves: "
                               "4 doubles × 2 FLOP × 2 FMA units")
    elif "avx512f" in flags:
        per_cycle, unit = 32, ("AVX-512 with FMA: 8 doubles × 2 FLOP × 2 FMA units (some Intel parts have one "
                               "512-bit FMA unit per core: then 16)")
    elif "avx2" in flags and "fma" in flags:
        if amd and family == 23 and model < 0x30:
            per_cycle, unit = 8, "AVX2 with FMA on Zen 1 (256-bit operations split into two 128-bit halves: 8)"
        else:
            per_cycle, unit = 16, ("AVX2 with FMA: 4 doubles × 2 FLOP × 2 FMA units (two 256-bit FMA pipes, as in "
                                   "Intel Haswell and later and AMD Zen 2 and later)")
    elif "avx" in flags:
        per_cycle, unit = 8, "AVX without FMA: a 4-double add and a 4-double multiply per cycle"
    else:
        per_cycle, unit = 4, "SSE2: a 2-double add and a 2-double multiply per cycle"
    zen = None
    if amd:
        zen = {23: "Zen 1" if model < 0x30 else "Zen 2", 25: "Zen 4" if "avx512f" in flags else "Zen 3",
               26: "Zen 5"}.get(family)

    clock, clock_source = None, None
    m = re.search(r"^CPU max MHz:\s*([\d.]+)", lscpu, re.M)
    if m:
        clock, clock_source = float(m.group(1)) / 1000, "lscpu's CPU max MHz"
    elif info.get("cpu MHz"):
        clock = float(info["cpu MHz"]) / 1000
        clock_source = ("/proc/cpuinfo's cpu MHz (in a virtual machine: the clock the hypervisor reports, "
                        "usually the host's base clock; the cores may run faster under boost)")
    else:
        m = re.search(r"@\s*([\d.]+)\s*GHz", info.get("model name", ""))
        if m:
            clock, clock_source = float(m.group(1)), "the model name's nominal clock"

    fma = {s["threads"]: s for s in samples if s.get("peer") == "fma loop" and "gflops" in s}
    measured = {t: s["gflops"] for t, s in sorted(fma.items())}
    out = {
        "cpu_model": info.get("model name"), "vendor": vendor, "family": family, "model": model, "microarchitecture": zen,
        "cores": cores, "logical_cpus": cpus, "threads_per_core": threads_per_core,
        "flags": sorted(flags & {"sse2", "avx", "avx2", "fma", "avx512f"}),
        "flop_per_cycle_per_core": per_cycle, "flop_per_cycle_reason": unit,
        "clock_ghz": clock, "clock_source": clock_source,
        "peak_gflops": cores * per_cycle * clock if clock else None,
        "fma_loop_gflops": measured,
    }
    if measured:
        best_threads = max(measured, key=lambda t: measured[t])
        out["fma_loop_peak_gflops"] = measured[best_threads]
        out["effective_clock_ghz"] = {t: g / (t * per_cycle) for t, g in measured.items()}
    return out


# MARK: render

CASE_ORDER = ["matmul", "cholesky", "lu"]


def gflops(row, key="median_s"):
    s = row.get(key)
    return row["flops"] / s / 1e9 if s else None


def fmt(x, digits=3):
    if x is None:
        return "—"
    return f"{x:.{digits}g}" if abs(x) < 1000 else f"{x:,.0f}"


def render_md(doc):
    p = doc["peak"]
    out = []
    quick = " (--quick: small sizes, a smoke test of the harness, not a measurement)" if doc["quick"] else ""
    out.append("# Dense linear algebra: dagrun's tiled graphs beside one BLAS call, numpy and Dask\n")
    out.append(f"Written by `Benchmarks/run-linear-algebra` on {doc['written']} ({doc['minutes']:.1f} minutes){quick}. "
               "**Figures are from 2 shared vCPUs of a KVM guest**: they move by ±30 % between runs and more when "
               "other work runs on the machine (load averages below); read the ratios, not the absolute values. "
               "Each row: one untimed warm-up run, then the median of the timed runs (count in the last column).\n")
    out.append("Reproduce: `" + doc["command"] + "` from the repository root.\n")

    out.append("## Machine and peak\n")
    mach = doc["machine"]
    out.append(f"- CPU: {p['cpu_model']} ({p['vendor']} family {p['family']} model {p['model']}"
               + (f", {p['microarchitecture']}" if p.get("microarchitecture") else "")
               + f"), {p['logical_cpus']} logical CPUs, {p['threads_per_core']} thread(s) per core"
               + (f", {mach['hypervisor']} guest" if mach.get("hypervisor") else "")
               + (f", {mach['memory_gib']} GiB" if mach.get("memory_gib") else "") + "; flags " + ", ".join(p["flags"]))
    out.append(f"- Linux {mach['kernel']}; load average {' '.join(doc.get('loadavg_start') or ['?'])} at the start, "
               f"{' '.join(mach.get('loadavg_end') or ['?'])} at the end")
    out.append(f"- {mach['swift']}; {mach['gxx'] or 'gcc'}; Python {mach['python']}")
    for v in doc["versions"]:
        out.append(f"- {v}")
    if p["peak_gflops"]:
        out.append(f"\n**Theoretical peak: {p['cores']} cores × {p['flop_per_cycle_per_core']} FLOP/cycle × "
                   f"{p['clock_ghz']:.3f} GHz = {p['peak_gflops']:.1f} GFLOP/s** (double precision).")
    else:
        out.append("\n**Theoretical peak: unknown** (no clock found in lscpu or /proc/cpuinfo).")
    out.append(f"FLOP per cycle from the CPU flags: {p['flop_per_cycle_reason']}. The number of FMA units per core "
               "is not visible from inside the machine: it is assumed from the instruction set and the CPU family. "
               f"The clock is {p['clock_source']}. Physical cores are taken as logical CPUs ÷ threads per core; "
               "a hypervisor may still place two vCPUs on the two hardware threads of one core, which halves the "
               "peak of both.")
    if p.get("fma_loop_gflops"):
        parts = ", ".join(f"{t} thread{'s' if t > 1 else ''} {g:.1f} GFLOP/s (a clock of "
                          f"{p['effective_clock_ghz'][t]:.2f} GHz at {p['flop_per_cycle_per_core']} FLOP/cycle)"
                          for t, g in p["fma_loop_gflops"].items())
        out.append(f"Measured ceiling (`blas_single fma`, independent vector FMA chains): {parts}. "
                   "A measured clock above the reported one means the cores boost; a 2-thread figure near the "
                   "1-thread one means the vCPUs shared a core during the measurement.")
    out.append("")
    ref = p.get("peak_gflops")
    ref_fma = p.get("fma_loop_peak_gflops")

    for case in doc["cases"]:
        rows = [r for r in doc["rows"] if r["case"] == case["case"]]
        out.append(f"## {case['title']}\n")
        out.append(case["note"] + "\n")
        out.append("| runtime | how | median s | GFLOP/s | % of peak (theoretical / FMA loop) "
                   "| dagrun ÷ this: inputs in memory (from the file) | runs |")
        out.append("|---|---|---|---|---|---|---|")
        file_rows = [r for r in rows if r.get("peer") == "dagrun" and not r.get("failed")]
        memory_rows = [r for r in rows if r.get("peer") == "dagrun library" and not r.get("failed")]

        def versus(candidates, r, g):
            """dagrun's GFLOP/s over row r's: at r's tile size for a Dask row, else dagrun's best tile size."""
            same = next((d for d in candidates if r.get("tile") and d["tile"] == r["tile"]), None)
            d = same or (max(candidates, key=lambda c: gflops(c)) if candidates else None)
            return (gflops(d) / g, d["tile"]) if d and g else (None, None)

        for r in rows:
            if r.get("failed"):
                out.append(f"| {r['label']} | **failed**: {r['failed'].replace('|', '/')} | — | — | — | — | 0 |")
                continue
            g = gflops(r)
            pct = f"{fmt(100 * g / ref if ref else None)} / {fmt(100 * g / ref_fma if ref_fma else None)}"
            if r.get("peer") == "dagrun":
                how = (f"`dagrun run` on the generated file: tiles of {r['tile']}, {r['tasks']:,} tasks, 2 pinned "
                       "workers; whole graph (makespan): input tiles generated, the algorithm, the residual check")
                vs = "—"
            elif r.get("peer") == "dagrun library":
                how = (f"the library's GraphBuilder: tiles of {r['tile']}, {r['tasks']:,} tasks, 2 pinned workers; "
                       "input tiles made before the clock (as the peers' inputs), graph building and the whole run "
                       "timed, checked afterwards")
                vs = "—"
            else:
                how = r.get("how", "")
                memory, memory_tile = versus(memory_rows, r, g)
                file, file_tile = versus(file_rows, r, g)
                if memory is not None:
                    vs = f"**{memory:.2f}** (tiles {memory_tile})" + (f" ({file:.2f})" if file is not None else "")
                elif file is not None:
                    vs = f"— ({file:.2f}, tiles {file_tile})"
                else:
                    vs = "—"
            out.append(f"| {r['label']} | {how} | {fmt(r['median_s'])} | {fmt(g)} | {pct} | {vs} | {len(r['samples_s'])} |")
            if r.get("peer") == "dagrun" and r.get("span_median_s"):
                gs = gflops(r, "span_median_s")
                out.append(f"| ↳ same runs | only the {', '.join(r['span_ops'])} tasks: first start to last end "
                           f"| {fmt(r['span_median_s'])} | {fmt(gs)} | {fmt(100 * gs / ref if ref else None)} / "
                           f"{fmt(100 * gs / ref_fma if ref_fma else None)} | — | {len(r['span_samples_s'])} |")
        out.append("")
        out.append("*dagrun ÷ this*: dagrun's GFLOP/s over the row's, first (bold) for dagrun on input tiles already "
                   "in memory, as every peer gets them (`dagrun-la-bench`), then in brackets for `dagrun run` on the "
                   "generated file, whose makespan also covers generating the inputs and the residual check. A Dask "
                   "row is compared with dagrun at the same tile size, any other row with dagrun's best tile size. "
                   "Above 1: dagrun is faster.\n")
    out.append("## Notes\n")
    out.append("- dagrun: `dagrun run FILE --workers 2 --summary json --trace T.json` with OPENBLAS_NUM_THREADS=1, on "
               "graphs from `dagrun gen matmul|cholesky|lu`; the makespan (from the moment the pinned workers are up to "
               "the end of the last task) covers the whole graph: generating the input tiles, the tiled algorithm "
               "and the O(n²) residual check (tile by tile: gemv over tiles and blocks of x). The peers time only the "
               "product or the factorisation of inputs already in memory; the *same runs* line gives dagrun's "
               "span of the tiled algorithm's tasks alone (input tiles still being generated while the first "
               "tiles multiply are inside it).")
    out.append("- dagrun, inputs in memory: `OPENBLAS_NUM_THREADS=1 dagrun-la-bench matmul|cholesky|lu --n N --tile T` "
               "(`Sources/LinearAlgebraBench`): the same tiled algorithm built with the library's GraphBuilder; its "
               "input tiles are tasks that hand over matrices made before the clock starts (fresh copies per run for "
               "Cholesky and LU, which update tiles in place). Timed: building and validating the graph and the whole "
               "`Scheduler.run` (starting and pinning the workers included); the result is checked afterwards with "
               "the same residual and tolerance as the generated graphs.")
    out.append("- OpenBLAS: one `cblas_dgemm` / `dpotrf_` / `dgetrf_` call of Debian's OpenBLAS with "
               "`openblas_set_num_threads(cores)` (`Benchmarks/peers/blas_single.c`).")
    out.append("- numpy: one call with its own OpenBLAS (the wheel's), threads set by threadpoolctl; for LU, which "
               "numpy lacks, `scipy.linalg.lu_factor` with scipy's OpenBLAS; "
               "Dask: `dask.array` on chunks already in memory, `.persist()` timed (graph building, ordering and "
               "running), threaded scheduler with 2 workers, BLAS limited to 1 thread per task "
               "(`Benchmarks/peers/la_python.py`). Every peer's result is checked with the same residual as the "
               "dagrun graphs.")
    return "\n".join(out) + "\n"


def render(args):
    with open(args.samples) as f:
        samples = [json.loads(line) for line in f if line.strip()]
    with open(args.cases) as f:
        cases = json.load(f)
    mach = report.machine([])
    for key in ("onetbb", "dask"):
        mach.pop(key, None)
    versions = []
    blas = next((s for s in samples if s.get("peer", "").startswith("openblas")), None)
    if blas:
        versions.append(f"Debian OpenBLAS: {blas.get('openblas_config')} (core {blas.get('openblas_core')})")
    py = next((s for s in samples if s.get("versions")), None)
    if py:
        v = py["versions"]
        libs = ", ".join(f"{b['internal_api']} {b['version']} ({b['architecture']})" for b in py.get("blas", []))
        versions.append(f"numpy {v['numpy']}, Dask {v['dask']}, scipy {v.get('scipy', '?')}, threadpoolctl "
                        f"{v['threadpoolctl']} in `Benchmarks/.venv`; their BLAS: {libs}")
    rows = [s for s in samples if s.get("case") in {c["case"] for c in cases}]
    when = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    doc = {
        "what": "dense linear algebra: dagrun's tiled graphs beside one OpenBLAS call, numpy and dask.array",
        "written": when, "minutes": args.minutes, "command": args.command, "quick": args.quick,
        "loadavg_start": args.load_start.split() or None, "machine": mach, "versions": versions,
        "peak": peak(samples), "cases": cases, "rows": rows,
    }
    for r in rows:
        if not r.get("failed") and r.get("median_s"):
            r["gflops"] = gflops(r)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "linear-algebra.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    with open(os.path.join(args.out, "linear-algebra.md"), "w") as f:
        f.write(render_md(doc))
    print(f"wrote {args.out}/linear-algebra.json and linear-algebra.md")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    for name in ("record", "record-dagrun", "record-failure"):
        r = sub.add_parser(name)
        r.add_argument("samples")
        r.add_argument("--case", required=True)
        r.add_argument("--label", required=True)
        r.add_argument("--tile", type=int)
        if name == "record-dagrun":
            r.add_argument("--flops", type=float, required=True)
            r.add_argument("--ops", required=True)
            r.add_argument("run_dir")
        if name == "record":
            r.add_argument("--how", default="", help="how the peer ran, for the table")
        if name == "record-failure":
            r.add_argument("--message", required=True)
    m = sub.add_parser("render")
    m.add_argument("samples")
    m.add_argument("--cases", required=True)
    m.add_argument("--command", required=True)
    m.add_argument("--minutes", type=float, default=0)
    m.add_argument("--load-start", default="")
    m.add_argument("--quick", action="store_true")
    m.add_argument("--out", required=True)
    args = parser.parse_args()
    {"record": record, "record-dagrun": record_dagrun, "record-failure": record_failure, "render": render}[args.what](args)


if __name__ == "__main__":
    main()
