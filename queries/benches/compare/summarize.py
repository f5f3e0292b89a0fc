"""Turns the events of one queries/benches/compare.sh run into its markdown table (on stdout).

    summarize.py --events FILE --out DIR --command TEXT --build release|debug
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
from collections import defaultdict


def fmt_s(x):
    if x is None:
        return "—"
    if x >= 100:
        return f"{x:.0f} s"
    if x >= 10:
        return f"{x:.1f} s"
    if x >= 1:
        return f"{x:.2f} s"
    return f"{x * 1000:.0f} ms" if x >= 0.01 else f"{x * 1000:.1f} ms"


def spread(xs):
    """median (min–max) of several runs; the one figure of one run."""
    if not xs:
        return "—"
    if len(xs) == 1:
        return fmt_s(xs[0])
    return f"{fmt_s(statistics.median(xs))} ({fmt_s(min(xs))}–{fmt_s(max(xs))})"


def mib(kib):
    if not kib:
        return "—"
    return f"{kib / 1024 / 1024:.2f} GiB" if kib >= 1024 * 1024 else f"{kib / 1024:.0f} MiB"


def ratio(a, b):
    if not a or not b:
        return "—"
    return f"{statistics.median(a) / statistics.median(b):.2f}×"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"model name\s*:\s*(.*)", f.read())
        return m.group(1).strip() if m else platform.processor()
    except OSError:
        return platform.processor()


def mem_total():
    try:
        with open("/proc/meminfo") as f:
            m = re.search(r"MemTotal:\s+(\d+)", f.read())
        return mib(int(m.group(1)))
    except OSError:
        return "?"


def git(*args):
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def lock_version(name):
    try:
        with open("Cargo.lock") as f:
            m = re.search(r'name = "' + re.escape(name) + r'"\nversion = "([^"]+)"', f.read())
        return m.group(1) if m else "?"
    except OSError:
        return "?"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--events", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--command", required=True)
    p.add_argument("--build", required=True)
    a = p.parse_args()

    procs = []
    opens = defaultdict(list)
    query = defaultdict(lambda: defaultdict(list))
    qpeak = defaultdict(lambda: defaultdict(int))
    qrows = defaultdict(dict)
    qorder = []
    misc = {}
    threads = {}
    versions = {}
    # A process's own JSON lines follow its process event. The report's bare-query processes
    # count for the report's comparison only; their per-query peaks give the process's peak (the
    # high-water mark is reset before each query, so /usr/bin/time sees only the last query's).
    bare_peak = defaultdict(int)
    owner = None
    with open(a.events) as f:
        for line in f:
            e = json.loads(line)
            ev = e.get("event")
            if ev == "process":
                procs.append(e)
                owner = e["name"]
                continue
            if ev in ("open", "query") and owner and owner.startswith("bare-"):
                bare_peak[owner] = max(bare_peak[owner], e.get("peak_rss_kib", 0))
                if ev == "open":
                    threads.setdefault(e["engine"], e.get("threads"))
                continue
            if ev == "open":
                # The check run writes answers: its times are not counted.
                opens[e["engine"]].append(e["seconds"])
                threads[e["engine"]] = e.get("threads")
                if "version" in e:
                    versions[e["engine"]] = e["version"]
            elif ev == "query":
                q, eng = e["query"], e["engine"]
                if q not in qorder:
                    qorder.append(q)
                query[q][eng].append(e["seconds"])
                qpeak[q][eng] = max(qpeak[q][eng], e["peak_rss_kib"])
                qrows[q][eng] = e["rows"]
            elif ev == "ingest":
                threads.setdefault("duckdb", e.get("threads"))
                versions["duckdb"] = e.get("version")
            else:
                misc[ev] = e

    def runs(prefix):
        return [p_ for p_ in procs if re.fullmatch(prefix + r"-\d+", p_["name"]) and p_["status"] == 0]

    # The check round writes every answer to a file: leave its times out.
    check_procs = [p_ for p_ in procs if p_["name"].endswith("-check")]
    if check_procs:
        # Events of the check runs come first in the file, one per query per engine: drop them.
        for q in qorder:
            for eng in ("sunlight", "duckdb"):
                if query[q][eng]:
                    query[q][eng] = query[q][eng][1:]
        for eng in ("sunlight", "duckdb"):
            opens[eng] = opens[eng][1:]

    loads = [x for p_ in procs for x in (p_["load_before"], p_["load_after"])]
    stored = misc.get("stored", {}).get("risk_points", 0)
    data = misc.get("data", {})
    rows_out = []

    def row(*cells):
        rows_out.append("| " + " | ".join(str(c) for c in cells) + " |")

    demo = [p_ for p_ in procs if p_["name"] == "demo-data"]
    if demo:
        d = demo[0]
        row("demo data (`sunlight demo-data`)", f"{fmt_s(d['seconds'])}, {stored / d['seconds']:,.0f} risk points/s",
            "", "", mib(d["peak_rss_kib"]), f"{data.get('ndjson_bytes', 0) / 2**30:.2f} GiB of NDJSON in {data.get('files')} files")

    si, di = runs("ingest-sunlight"), runs("ingest-duckdb")
    st = [x["seconds"] for x in si]
    dt = [x["seconds"] for x in di]
    if st:
        rate = lambda xs: f"{stored / statistics.median(xs):,.0f} rows/s" if xs else "—"
        row(f"ingest NDJSON → Parquet ({len(st)} runs each)", f"{spread(st)}, {rate(st)}", f"{spread(dt)}, {rate(dt)}",
            ratio(st, dt), f"{mib(max(x['peak_rss_kib'] for x in si))} / {mib(max((x['peak_rss_kib'] for x in di), default=0))}",
            "Sunlight parses, validates, grades and hash-checks every submission and resolves names; "
            "DuckDB only parses and flattens (read_json, COPY … (FORMAT parquet))")
    sc = [x["cpu_seconds"] for x in si if "cpu_seconds" in x]
    dc = [x["cpu_seconds"] for x in di if "cpu_seconds" in x]
    if sc:
        row("ingest CPU time (user + system, every thread)", f"{spread(sc)}, {statistics.median(sc) / statistics.median(st):.2f} cores busy",
            f"{spread(dc)}, {statistics.median(dc) / statistics.median(dt):.2f} cores busy" if dc else "—",
            ratio(sc, dc), "", "what each engine kept the cores doing; on a shared host it moves with the neighbours' load too (each instruction takes longer)")
    ev = runs("ingest-events")
    if ev:
        n_ev = misc.get("stored_events", {}).get("events", 0)
        row("ingest the event batches (supervision)", f"{fmt_s(ev[0]['seconds'])}, {n_ev / ev[0]['seconds']:,.0f} events/s",
            "", "", mib(ev[0]["peak_rss_kib"]), f"{n_ev:,} archive, review and register events: Sunlight only, for the report")
    store_b = misc.get("store", {}).get("bytes")
    duck_b = misc.get("duckdb_parquet", {}).get("bytes")
    if store_b:
        row("Parquet written (zstd)", f"{store_b / 2**20:,.0f} MiB", f"{(duck_b or 0) / 2**20:,.0f} MiB", "", "", "the store has more columns (names, grades, responsible role)")

    # With --runs 0 there are no query rounds: no rows for them.
    if qorder:
        row(f"open the store (session with views; {len(opens['sunlight'])} runs)", spread(opens["sunlight"]), spread(opens["duckdb"]),
            ratio(opens["sunlight"], opens["duckdb"]), "", "Sunlight: manifest, Parquet schemas, superseded versions; DuckDB: the same views and lookups")
    tot = {"sunlight": 0.0, "duckdb": 0.0}
    slower = []
    for q in qorder:
        s, d = query[q]["sunlight"], query[q]["duckdb"]
        if not s and not d:
            continue
        for eng, xs in (("sunlight", s), ("duckdb", d)):
            if xs:
                tot[eng] += statistics.median(xs)
        r = ratio(s, d)
        if s and d and statistics.median(s) > statistics.median(d):
            slower.append(q)
        nrows = qrows[q].get("sunlight", qrows[q].get("duckdb"))
        row(f"`{q}` ({nrows:,} rows)", spread(s), spread(d), r,
            f"{mib(qpeak[q]['sunlight'])} / {mib(qpeak[q]['duckdb'])}", "")
    if qorder:
        row("**all queries** (sum of medians)", f"**{fmt_s(tot['sunlight'])}**", f"**{fmt_s(tot['duckdb'])}**",
            f"**{tot['sunlight'] / tot['duckdb']:.2f}×**" if tot["duckdb"] else "—", "", "")

    rep, bare = runs("report"), runs("bare")
    if rep:
        rt, bt = [x["seconds"] for x in rep], [x["seconds"] for x in bare]
        row(f"`sunlight report --year` ({len(rt)} runs)", spread(rt), "", f"{ratio(rt, bt)} of bare queries",
            mib(max(x["peak_rss_kib"] for x in rep)), "HTML, SVG charts (the main page's also as PNG), CSV, every unit's XLSX catalog")
        row("the report's bare queries (one process)", spread(bt), "", "", mib(max(bare_peak.values(), default=0)),
            "process wall time: session open + every query the report runs (`query-suite --report`: "
            "its supervision and catalog queries included), results dropped")

    k = [p_ for p_ in procs if p_["name"] == "kernel"]
    if k:
        text = open(os.path.join(a.out, "kernel.out")).read()
        m1 = re.search(r"kernel_info_reply: median (\d+) ms over (\d+) starts \(([^)]*)\)", text)
        m2 = re.search(r"round trip .*?: median ([\d.]+) ms over (\d+) runs \(min ([\d.]+), max ([\d.]+) ms\)", text)
        if m1:
            xs = [float(x) for x in re.findall(r"[\d.]+", m1.group(3))]
            row(f"notebook kernel start → kernel_info_reply ({m1.group(2)} starts)",
                f"{m1.group(1)} ms ({min(xs):.0f}–{max(xs):.0f} ms)", "", "", "", "tests/notebook/measure.py (jupyter_client)")
        if m2:
            row(f"kernel `SELECT 1` round trip ({m2.group(2)} runs)", f"{m2.group(1)} ms ({m2.group(3)}–{m2.group(4)} ms)",
                "", "", "", "execute_reply and idle status")
        if not (m1 or m2):
            row("notebook kernel", "failed: see kernel.err", "", "", "", "")
    b = [p_ for p_ in procs if p_["name"] == "browser"]
    if b:
        text = open(os.path.join(a.out, "browser.out")).read()
        m = re.search(r"validateTable \(validate \+ grade\), valid table:\s+median ([\d.]+) ms \(min ([\d.]+), max ([\d.]+)\)", text)
        c = re.search(r"^(Chromium [^,]*), (\d+) runs", text, re.M)
        if m:
            row(f"form: validate + grade, 200 rows ({c.group(2) if c else '?'} runs)", f"{m.group(1)} ms ({m.group(2)}–{m.group(3)} ms)",
                "", "", "", f"wasm in headless {c.group(1) if c else 'Chromium'} (tests/browser/bench.mjs)")
        else:
            row("form: validate + grade, 200 rows", "failed: see browser.err", "", "", "", "")

    cores = os.cpu_count()
    ym = re.search(r"--year (\d+)", a.command)
    qyear = ym.group(1) if ym else "?"
    print(f"# Sunlight against DuckDB: {stored:,} risk points")
    print()
    print(f"- Command: `{a.command}` ({a.build} build), at commit {git('rev-parse', '--short', 'HEAD')}"
          f"{' with local changes' if git('status', '--porcelain', '--untracked-files=no') else ''}")
    print(f"- Machine: **{cores} cores** ({cpu_model()}), {mem_total()} memory, {platform.system()} {platform.release()}; "
          f"load average during the run {min(loads, default=0):.1f}–{max(loads, default=0):.1f} (shared machine: figures are noisy)")
    print(f"- Data: `sunlight demo-data --units {data.get('units')} --years {data.get('years')} --seed {data.get('seed')}`: "
          f"{stored:,} risk points (every version), year evaluated {qyear}")
    print(f"- Engines: Sunlight with DataFusion {lock_version('datafusion')}, {threads.get('sunlight')} target partitions "
          f"(tokio: one worker per core); DuckDB {versions.get('duckdb', '?')} (Python), threads = {threads.get('duckdb')}")
    print("- Times: median (min–max) over the runs; the engines alternate run by run, and each ingest starts with the files written before it synced to disk and its input read once into the page cache (both untimed). Query times are inside one open "
          "session, results streamed and dropped; peak memory is the process's high-water mark during the step "
          "(reset before each query, so it includes what the allocator kept from earlier queries).")
    print("- DuckDB reads the same Parquet files as Sunlight through views written in its SQL "
          "(queries/benches/compare/duckdb-views.sql); the one core function a view calls, table_deadline, "
          "is a lookup table that Sunlight computes (DuckDB cannot call the core).")
    print()
    print("| figure | Sunlight | DuckDB | Sunlight ÷ DuckDB | peak memory (Sunlight / DuckDB) | notes |")
    print("|---|---|---|---|---|---|")
    for r in rows_out:
        print(r)
    print()
    if not qorder:
        print("No query rounds in this run (--runs 0).")
    elif slower:
        print(f"Queries where Sunlight's median is above DuckDB's: {', '.join(slower)}.")
    else:
        print("Sunlight's median is at or below DuckDB's on every query.")


if __name__ == "__main__":
    main()
