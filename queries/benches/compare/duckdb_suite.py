"""DuckDB's side of queries/benches/compare.sh: the same work as Sunlight's, on the same files.

    duckdb_suite.py ingest --out DIR FILE...
        Reads the NDJSON submissions (read_json) and writes three Parquet files like the store's
        tables (submissions, risk_points, measures; zstd, row groups of 256 Ki rows) with COPY.
        It does NOT validate, grade, check hashes or resolve names against the scheme: only JSON
        in, flattened Parquet out. Prints one JSON line.

    duckdb_suite.py queries --store DIR --suite FILE --views FILE --deadlines CSV
                            [--year Y] [--runs N] [--only PREFIX] [--results DIR]
        Opens the store's Parquet files (as its manifest lists them) with duckdb-views.sql, then
        runs each query of the suite file as Arrow record batches, dropped as they come, and
        prints one JSON line per run (as queries/examples/query-suite.rs does for Sunlight).

Peak memory: before each query the process's high-water mark is reset through
/proc/self/clear_refs (Linux), so peak_rss_kib is the most this process held during that query.
"""

import argparse
import datetime
import json
import os
import re
import sys
import time

import duckdb


def peak_rss_kib():
    try:
        with open("/proc/self/status") as f:
            m = re.search(r"VmHWM:\s+(\d+)", f.read())
        return int(m.group(1)) if m else 0
    except OSError:
        return 0


def reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def sections(path, year=None):
    """(name, SQL) of each `-- name: NAME` section of a file, comment lines dropped."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("-- name:"):
                out.append([line[len("-- name:"):].strip(), ""])
            elif out and not line.lstrip().startswith("--"):
                out[-1][1] += line
    result = []
    for name, sql in out:
        sql = sql.strip().rstrip(";")
        if year is not None:
            sql = sql.replace("{year}", str(year))
        result.append((name, sql))
    return result


def emit(obj):
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def connect():
    con = duckdb.connect()
    con.execute(f"SET threads = {os.cpu_count()}")
    return con


# --- ingest -----------------------------------------------------------------------------------

TEXT = "VARCHAR"
COLUMNS = {
    "schema_version": "BIGINT",
    "scheme": TEXT,
    "year": "INTEGER",
    "period": TEXT,
    "table": TEXT,
    "unit": "STRUCT(id VARCHAR, name VARCHAR)",
    "department": "STRUCT(id VARCHAR, name VARCHAR)",
    "person": "STRUCT(id VARCHAR, name VARCHAR, post VARCHAR, key_post BOOLEAN)",
    "rows": "STRUCT(power STRUCT(name VARCHAR, category VARCHAR, item VARCHAR, basis VARCHAR, "
    "limits VARCHAR, department VARCHAR), step STRUCT(name VARCHAR, subject VARCHAR, "
    "conditions VARCHAR, procedure VARCHAR, time_limit VARCHAR, supervision VARCHAR), "
    "post VARCHAR, risk_point VARCHAR, risk_type VARCHAR, factors JSON, level VARCHAR, "
    "graded_level VARCHAR, level_reason VARCHAR, measures STRUCT(line VARCHAR, kind VARCHAR, "
    "text VARCHAR)[], responsible VARCHAR)[]",
    "submitted_at": TEXT,
    "hash": TEXT,
}


def sql_list(paths):
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def ingest(args):
    os.makedirs(args.out, exist_ok=True)
    cols = "{" + ", ".join(f"'{k}': '{v}'" for k, v in COLUMNS.items()) + "}"
    # The parsed submissions go into an on-disk database in the output folder (not memory), so
    # that 10 M risk points fit; the three tables are then copied out of it.
    db = os.path.join(args.out, "ingest.duckdb")
    for p in (db, db + ".wal"):
        if os.path.exists(p):
            os.remove(p)
    started = time.perf_counter()
    con = duckdb.connect(db)
    con.execute(f"SET threads = {os.cpu_count()}")
    con.execute("SET preserve_insertion_order = false")
    con.execute(
        f"CREATE TABLE raw AS SELECT * FROM read_json({sql_list(args.files)}, "
        f"format = 'newline_delimited', columns = {cols}, maximum_object_size = 67108864)"
    )
    parquet = "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 262144)"
    out = lambda t: "'" + os.path.join(args.out, f"{t}.parquet").replace("'", "''") + "'"
    con.execute(
        f"""COPY (SELECT hash, scheme, schema_version, year, period, "table" AS table_kind,
              unit.id AS unit_id, unit.name AS unit_name,
              department.id AS department_id, department.name AS department_name,
              person.id AS person_id, person.name AS person_name, person.post AS person_post,
              person.key_post AS person_key_post,
              CAST(submitted_at AS TIMESTAMPTZ) AS submitted_at,
              CAST(substr(submitted_at, 1, 10) AS DATE) AS submitted_date,
              CAST(len(rows) AS INTEGER) AS risk_points
            FROM raw) TO {out("submissions")} {parquet}"""
    )
    rows = """SELECT hash, scheme, year, period, "table" AS table_kind, unit, department, person,
                submitted_at, UNNEST(rows) AS r, generate_subscripts(rows, 1) AS row_no FROM raw"""
    con.execute(
        f"""COPY (SELECT hash, CAST(row_no AS INTEGER) AS row_no, scheme, year, period, table_kind,
              unit.id AS unit_id, unit.name AS unit_name,
              department.id AS department_id, department.name AS department_name,
              person.id AS person_id, r.post AS post,
              CAST(submitted_at AS TIMESTAMPTZ) AS submitted_at,
              r.power.name AS power_name, r.power.category AS power_category,
              r.power.item AS power_item, r.power.basis AS power_basis,
              r.power.limits AS power_limits, r.power.department AS power_department,
              r.step.name AS step_name, r.step.subject AS step_subject,
              r.step.conditions AS step_conditions, r.step.procedure AS step_procedure,
              r.step.time_limit AS step_time_limit, r.step.supervision AS step_supervision,
              r.risk_point AS risk_point, r.risk_type AS risk_type,
              CAST(r.factors AS VARCHAR) AS factors, r.level AS level,
              r.graded_level AS graded_level, r.level_reason AS level_reason,
              r.responsible AS responsible,
              array_to_string(list_transform(r.measures, lambda m: m.text), '；') AS measures_text,
              CAST(len(r.measures) AS INTEGER) AS measure_count,
              list_contains(list_transform(r.measures, lambda m: m.line), 'prevention') AS has_prevention,
              list_contains(list_transform(r.measures, lambda m: m.line), 'monitoring') AS has_monitoring,
              list_contains(list_transform(r.measures, lambda m: m.line), 'disposal') AS has_disposal
            FROM ({rows})) TO {out("risk_points")} {parquet}"""
    )
    con.execute(
        f"""COPY (SELECT hash, CAST(row_no AS INTEGER) AS row_no,
              CAST(measure_no AS INTEGER) AS measure_no, scheme, year,
              unit.id AS unit_id, department.id AS department_id,
              m.line AS line, m.kind AS kind, m.text AS text
            FROM (SELECT hash, row_no, scheme, year, unit, department,
                    UNNEST(r.measures) AS m, generate_subscripts(r.measures, 1) AS measure_no
                  FROM ({rows})))
            TO {out("measures")} {parquet}"""
    )
    (subs,) = con.execute(f"SELECT COUNT(*) FROM read_parquet({out('submissions')})").fetchone()
    (risks,) = con.execute(f"SELECT COUNT(*) FROM read_parquet({out('risk_points')})").fetchone()
    seconds = time.perf_counter() - started
    (threads,) = con.execute("SELECT current_setting('threads')").fetchone()
    con.close()
    for p in (db, db + ".wal"):
        if os.path.exists(p):
            os.remove(p)
    emit({"engine": "duckdb", "event": "ingest", "seconds": round(seconds, 6),
          "submissions": subs, "risk_points": risks, "threads": threads,
          "version": duckdb.__version__})


# --- queries ----------------------------------------------------------------------------------

def cell(v):
    if v is None:
        return "\\N"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()
    s = str(v)
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def open_store(con, args):
    with open(os.path.join(args.store, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    files = {
        t: sql_list([os.path.abspath(os.path.join(args.store, p)) for p in manifest[f"{t}_files"]])
        for t in ("submissions", "risk_points", "measures")
    }
    con.execute(
        "CREATE TEMP TABLE deadlines AS SELECT * FROM read_csv(?, header = true, "
        "columns = {'scheme': 'VARCHAR', 'year': 'INTEGER', 'deadline': 'DATE'})",
        [args.deadlines],
    )
    filter_ = ""
    for name, sql in sections(args.views):
        if name in ("risk_points", "measures"):
            sql = sql.replace("{current_filter}", filter_)
        for t, lst in files.items():
            sql = sql.replace("{" + t + "_files}", lst)
        con.execute(sql)
        if name == "superseded_hashes":
            [(n,)] = con.execute("SELECT COUNT(*) FROM superseded_hashes").fetchall()
            # As Sunlight: no anti-join at all when nothing is superseded.
            if n:
                filter_ = "WHERE hash NOT IN (SELECT hash FROM superseded_hashes)"
            # As Sunlight (queries/src/sql/mod.rs, current_by_key): a store whose files all have
            # hash_key is filtered on it when exactly the superseded submissions have those keys.
            if n and manifest.get("hash_keys"):
                con.execute(
                    "CREATE TEMP TABLE superseded_keys AS SELECT DISTINCT s.hash_key "
                    "FROM submissions_all s JOIN superseded_hashes h ON s.hash = h.hash"
                )
                [(m,)] = con.execute(
                    "SELECT COUNT(*) FROM submissions_all "
                    "WHERE hash_key IN (SELECT hash_key FROM superseded_keys)"
                ).fetchall()
                if m == n:
                    filter_ = "WHERE hash_key NOT IN (SELECT hash_key FROM superseded_keys)"


def queries(args):
    suite = sections(args.suite, args.year)
    reset_peak_rss()
    started = time.perf_counter()
    con = connect()
    open_store(con, args)
    [(threads,)] = con.execute("SELECT current_setting('threads')").fetchall()
    emit({"engine": "duckdb", "event": "open", "seconds": round(time.perf_counter() - started, 6),
          "threads": threads, "version": duckdb.__version__, "peak_rss_kib": peak_rss_kib()})
    if args.results:
        os.makedirs(args.results, exist_ok=True)
    for run in range(args.runs):
        for name, sql in suite:
            if args.only and not name.startswith(args.only):
                continue
            reset_peak_rss()
            t0 = time.perf_counter()
            rows = 0
            if args.results and run == 0:
                res = con.execute(sql)
                with open(os.path.join(args.results, f"{name}.tsv"), "w", encoding="utf-8") as f:
                    while True:
                        chunk = res.fetchmany(10000)
                        if not chunk:
                            break
                        rows += len(chunk)
                        for r in chunk:
                            f.write("\t".join(cell(v) for v in r) + "\n")
            else:
                reader = con.sql(sql).to_arrow_reader(65536)
                for batch in reader:
                    rows += batch.num_rows
            secs = time.perf_counter() - t0
            emit({"engine": "duckdb", "event": "query", "query": name, "run": run,
                  "seconds": round(secs, 6), "rows": rows, "peak_rss_kib": peak_rss_kib()})


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    i = sub.add_parser("ingest")
    i.add_argument("--out", required=True)
    i.add_argument("files", nargs="+")
    q = sub.add_parser("queries")
    q.add_argument("--store", required=True)
    q.add_argument("--suite", required=True)
    q.add_argument("--views", required=True)
    q.add_argument("--deadlines", required=True)
    q.add_argument("--year", type=int, default=2013)
    q.add_argument("--runs", type=int, default=1)
    q.add_argument("--only")
    q.add_argument("--results")
    args = p.parse_args()
    if args.cmd == "ingest":
        ingest(args)
    else:
        queries(args)


if __name__ == "__main__":
    sys.exit(main())
