"""govshare benchmarks, each measured side by side with its peers in the same run.

Run through `bench/run` (it builds the release binary and installs the peers). Prints a table per
section and rewrites that section of bench/README.md between its markers.

Section `shared-data` (issue 3): a population table (twenty columns, `govshare synth`) →
  1. ingest CSV → queryable version, rows/s: govshare (`govshare import`, and an HTTP upload to a
     running server whose peak memory is read from /proc), DuckDB `read_csv` → table, PostgreSQL
     `COPY … FROM STDIN` into a typed table (what CKAN's XLoader does);
  2. a selective query (~1,000 rows, five fields) and a group-by over the whole table: govshare's
     query API (access check, audit and HTTP included) vs DuckDB on the same Parquet files vs
     PostgreSQL on its table;
  3. full CSV download through the HTTP API, MB/s, vs `cat` of the source CSV to /dev/null.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import http.client
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "bench" / "README.md"
PURPOSE = urllib.parse.quote("工作参考:基准测试")
RUNS = 5
# Ingest runs per system (each from the same starting state); the median is reported.
INGEST_RUNS = 3


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    """Runs a command, failing loudly with its output."""
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise SystemExit(f"command failed ({r.returncode}): {' '.join(map(str, cmd))}\n{r.stdout}\n{r.stderr}")
    return r.stdout


def timed(cmd):
    """Runs a command under /usr/bin/time: (seconds, peak RSS in MiB, stdout)."""
    fmt = "__TIME__ %e %M"
    r = subprocess.run(["/usr/bin/time", "-f", fmt] + [str(c) for c in cmd], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"command failed ({r.returncode}): {' '.join(map(str, cmd))}\n{r.stdout}\n{r.stderr}")
    line = [l for l in r.stderr.splitlines() if l.startswith("__TIME__")][-1].split()
    return float(line[1]), int(line[2]) / 1024, r.stdout


def median_ms(f):
    f()  # warm-up
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        f()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vm_hwm_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def vm_rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Server:
    """`govshare serve` on a free port, for the HTTP measurements."""

    def __init__(self, bin, data):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [bin, "serve", "--data", data, "--listen", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("govshare serve did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def write_section(name, body):
    text = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    start, end = f"<!-- section:{name} -->", f"<!-- /section:{name} -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text and end in text:
        text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    README.write_text(text, encoding="utf-8")


def machine():
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = int(Path("/proc/meminfo").read_text().split()[1]) // (1024 * 1024)
    return f"{os.cpu_count()} cores ({cpu}), {mem} GiB, {platform.system()} {platform.release()}"


def fmt_rate(x):
    return f"{x:,.0f}"


# ---------------------------------------------------------------------------------------------
# shared data


def shared_data(args):
    import duckdb
    import psycopg

    bin, work = args.bin, Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    rows = args.rows
    csv_path = work / f"population-{rows}-seed1.csv"
    items_path = work / "population-items.json"
    if not csv_path.exists() or not items_path.exists():
        log(f"generating {rows:,} rows → {csv_path}")
        tmp = csv_path.with_suffix(".partial")
        run([bin, "synth", "--table", "population", "--rows", rows, "--seed", "1", "--out", tmp,
             "--items-json", items_path])
        tmp.rename(csv_path)
    csv_bytes = csv_path.stat().st_size
    items = json.loads(items_path.read_text(encoding="utf-8"))
    log(f"input: {csv_path} ({csv_bytes / 1e9:.2f} GB)")

    # A fresh data directory with the demo city and one more resource: the population table.
    data = work / "data"
    shutil.rmtree(data, ignore_errors=True)
    log("seeding the demo city")
    run([bin, "demo", "--no-serve", "--data", data])
    run([bin, "catalog", "export", "--as", "gaj_editor", "--data", data, data / "catalogue.json"])
    entries = json.loads((data / "catalogue.json").read_text(encoding="utf-8"))
    base = next(e for e in entries if e["resource"]["name"] == "常住人口户籍信息")
    spec = dict(base["resource"])
    spec.update(name="常住人口基础信息（基准测试）", data_items=items, share_type="unconditional",
                share_condition=None, share_basis=None, related_codes=[], publish_date=None)
    (data / "bench-entry.json").write_text(json.dumps([{"code": None, "status": "draft", "resource": spec}],
                                                      ensure_ascii=False), encoding="utf-8")
    run([bin, "catalog", "import", "--as", "gaj_editor", "--data", data, data / "bench-entry.json"])
    db = sqlite3.connect(data / "govshare.db")
    (rid, code) = db.execute("SELECT id, code FROM resources WHERE name = ?", (spec["name"],)).fetchone()
    db.close()

    def token(line):
        return line.strip().splitlines()[-1].strip()

    provider = token(run([bin, "admin", "create-user", "--data", data, "--username", "bench_provider",
                          "--name", "基准测试提供方", "--department", "SLS-GAJ", "--role", "data_provider"]))
    consumer = token(run([bin, "admin", "create-user", "--data", data, "--username", "bench_consumer",
                          "--name", "基准测试使用方", "--department", "SLS-MZJ", "--role", "data_consumer"]))
    editor = token(run([bin, "admin", "create-user", "--data", data, "--username", "bench_editor",
                        "--name", "基准测试编目员", "--department", "SLS-GAJ", "--role", "catalog_editor"]))
    approver = token(run([bin, "admin", "create-user", "--data", data, "--username", "bench_approver",
                          "--name", "基准测试审核员", "--department", "SLS-GAJ", "--role", "approver"]))

    results = {}

    def median_run(runs):
        """The run (seconds, peak RSS, …) of median time."""
        return sorted(runs, key=lambda r: r[0])[len(runs) // 2]

    # 1. Ingest -------------------------------------------------------------------------------
    # Every system reads the CSV from the page cache: it is read once before any is timed.
    subprocess.run(["cat", str(csv_path)], stdout=subprocess.DEVNULL, check=True)
    log(f"ingest: govshare import ×{INGEST_RUNS}")
    seeded = work / "data-seeded"
    shutil.rmtree(seeded, ignore_errors=True)
    shutil.copytree(data, seeded)
    runs = []
    for _ in range(INGEST_RUNS):
        # Each run publishes version 1 into the same seeded data directory.
        shutil.rmtree(data)
        shutil.copytree(seeded, data)
        secs, rss, _ = timed([bin, "import", "--as", "bench_provider", "--data", data, code, csv_path])
        runs.append((secs, rss))
        log(f"  {secs:.1f} s, peak RSS {rss:.0f} MiB")
    shutil.rmtree(seeded)
    secs, rss = median_run(runs)
    results["ingest_cli"] = (rows / secs, secs, max(r[1] for r in runs))

    log(f"ingest: DuckDB read_csv → table ×{INGEST_RUNS}")
    duck_db = work / "duckdb.db"
    script = (
        "import duckdb,sys,time\n"
        "c=duckdb.connect(sys.argv[1])\n"
        "c.execute('SET enable_progress_bar=false')\n"
        "t=time.perf_counter()\n"
        "c.execute(\"CREATE TABLE population AS SELECT * FROM read_csv(?, header=true)\",[sys.argv[2]])\n"
        "c.close()\n"
        "print(time.perf_counter()-t)\n"
    )
    runs = []
    for _ in range(INGEST_RUNS):
        for p in (duck_db, Path(str(duck_db) + ".wal")):
            p.unlink(missing_ok=True)
        _, duck_rss, out = timed([sys.executable, "-c", script, duck_db, csv_path])
        runs.append((float(out.strip().splitlines()[-1]), duck_rss))
        log(f"  {runs[-1][0]:.1f} s")
    duck_db.unlink(missing_ok=True)
    duck_secs, _ = median_run(runs)
    results["ingest_duckdb"] = (rows / duck_secs, duck_secs, max(r[1] for r in runs))

    log(f"ingest: PostgreSQL COPY FROM STDIN ×{INGEST_RUNS}")
    pg_type = {"C": "text", "D": "date", "T": "timestamp", "N": "numeric", "I": "bigint", "F": "double precision"}
    cols = ", ".join(f'"{i["name"]}" {pg_type.get(i["data_type"], "text")}' for i in items)
    with psycopg.connect(args.postgres, autocommit=True) as pg:
        pg_version = pg.execute("SHOW server_version").fetchone()[0]
        runs = []
        for _ in range(INGEST_RUNS):
            pg.execute("DROP TABLE IF EXISTS bench_population")
            pg.execute("CHECKPOINT")
            pg.execute(f"CREATE TABLE bench_population ({cols})")
            t = time.perf_counter()
            with pg.cursor() as cur, open(csv_path, "rb") as f:
                with cur.copy("COPY bench_population FROM STDIN (FORMAT csv, HEADER true)") as copy:
                    while chunk := f.read(1 << 20):
                        copy.write(chunk)
            runs.append((time.perf_counter() - t,))
            log(f"  {runs[-1][0]:.1f} s")
        pg.execute("ANALYZE bench_population")
    pg_secs = median_run(runs)[0]
    results["ingest_pg"] = (rows / pg_secs, pg_secs, None)

    server = Server(bin, data)
    try:
        # The entry is published (submitted and approved) so that another department may read it.
        for tok, action in ((editor, "submit"), (approver, "publish")):
            run(["curl", "-sS", "--fail-with-body", "-X", "POST", "-H", f"Authorization: Bearer {tok}",
                 f"http://127.0.0.1:{server.port}/api/v1/resources/{rid}/{action}"])
        log("ingest: HTTP upload to govshare serve")
        base_rss = vm_rss_mib(server.proc.pid)
        t = time.perf_counter()
        out = run(["curl", "-sS", "--fail-with-body", "-X", "POST", "-H", f"Authorization: Bearer {provider}",
                   "-F", f"file=@{csv_path}", f"http://127.0.0.1:{server.port}/api/v1/resources/{rid}/versions"])
        http_secs = time.perf_counter() - t
        report = json.loads(out)
        results["ingest_http"] = (rows / http_secs, http_secs, vm_hwm_mib(server.proc.pid))
        log(f"  {http_secs:.1f} s, server peak RSS {results['ingest_http'][2]:.0f} MiB (idle {base_rss:.0f} MiB)")

        db = sqlite3.connect(data / "govshare.db")
        files = json.loads(db.execute(
            "SELECT files FROM dataset_versions WHERE resource_id = ? ORDER BY version DESC LIMIT 1", (rid,)
        ).fetchone()[0])
        db.close()
        parquet = [str(data / f) for f in files]
        results["parquet_bytes"] = sum(Path(p).stat().st_size for p in parquet)

        # 2. Queries ---------------------------------------------------------------------------
        duck = duckdb.connect()
        src = f"read_parquet({parquet!r})"
        region, n = duck.execute(
            f'SELECT "户籍地行政区划代码", count(*) FROM {src} GROUP BY 1 ORDER BY 2 DESC LIMIT 1').fetchone()
        dates = [r[0] for r in duck.execute(
            f'SELECT "出生日期" FROM {src} WHERE "户籍地行政区划代码" = ? ORDER BY 1', [region]).fetchall()]
        lo = dates[len(dates) // 2]
        hi = dates[min(len(dates) - 1, len(dates) // 2 + 1000)]
        fields = ["公民身份号码", "姓名", "性别", "出生日期", "户籍地址"]
        q = lambda x: f'"{x}"'
        where = f'"户籍地行政区划代码" = %s AND "出生日期" >= %s AND "出生日期" < %s'
        sel_duck = f'SELECT {", ".join(map(q, fields))} FROM {src} WHERE {where.replace("%s", "?")}'
        sel_pg = f'SELECT {", ".join(map(q, fields))} FROM bench_population WHERE {where}'
        params = [region, lo, hi]
        expected = len(duck.execute(sel_duck, params).fetchall())
        group_fields = ["户籍地行政区划代码", "性别"]
        grp_sql = (f'SELECT "户籍地行政区划代码", "性别", count(*), min("出生日期") FROM {{}} GROUP BY 1, 2')

        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)

        def api_query(body):
            conn.request("POST", f"/api/v1/resources/{rid}/query", body=json.dumps(body).encode(),
                         headers={"Authorization": f"Bearer {consumer}", "X-Purpose": PURPOSE,
                                  "Content-Type": "application/json"})
            r = conn.getresponse()
            payload = r.read()
            if r.status != 200:
                raise SystemExit(f"query failed: {r.status} {payload[:500]!r}")
            return payload

        sel_body = {"fields": fields, "limit": 10000, "filters": [
            {"field": "户籍地行政区划代码", "op": "eq", "value": region},
            {"field": "出生日期", "op": "ge", "value": str(lo)},
            {"field": "出生日期", "op": "lt", "value": str(hi)}]}
        got = len(json.loads(api_query(sel_body))["rows"])
        if got != expected:
            raise SystemExit(f"the selective query returned {got} rows, DuckDB {expected}")
        grp_body = {"group_by": group_fields, "limit": 10000,
                    "aggregates": [{"func": "count"}, {"func": "min", "field": "出生日期"}]}
        groups = len(json.loads(api_query(grp_body))["rows"])
        log(f"selective query: {expected} rows (region {region}, born {lo} – {hi}); group-by: {groups} groups")

        with psycopg.connect(args.postgres, autocommit=True) as pg:
            results["select"] = (
                median_ms(lambda: api_query(sel_body)),
                median_ms(lambda: duck.execute(sel_duck, params).fetchall()),
                median_ms(lambda: pg.execute(sel_pg, params).fetchall()),
            )
            results["group"] = (
                median_ms(lambda: api_query(grp_body)),
                median_ms(lambda: duck.execute(grp_sql.format(src)).fetchall()),
                median_ms(lambda: pg.execute(grp_sql.format("bench_population")).fetchall()),
            )
        duck_version = duckdb.__version__
        duck.close()
        log(f"  select ms {results['select']}, group-by ms {results['group']}")

        # 3. Download --------------------------------------------------------------------------
        log("download: CSV through the API")
        before = vm_hwm_mib(server.proc.pid)
        out = run(["curl", "-sS", "--fail", "-o", "/dev/null", "-w", "%{size_download} %{time_total}",
                   "-H", f"Authorization: Bearer {consumer}", "-H", f"X-Purpose: {PURPOSE}",
                   f"http://127.0.0.1:{server.port}/api/v1/resources/{rid}/download?format=csv"])
        size, secs = out.split()
        results["download"] = (int(size) / float(secs) / 1e6, int(size), float(secs), vm_rss_mib(server.proc.pid))
        # warm the page cache the same way for the ceiling
        subprocess.run(["cat", str(csv_path)], stdout=subprocess.DEVNULL, check=True)
        t = time.perf_counter()
        subprocess.run(["cat", str(csv_path)], stdout=subprocess.DEVNULL, check=True)
        cat_secs = time.perf_counter() - t
        results["cat"] = (csv_bytes / cat_secs / 1e6, cat_secs)
        log(f"  {results['download'][0]:.0f} MB/s; cat {results['cat'][0]:.0f} MB/s")
    finally:
        server.stop()

    # Report ----------------------------------------------------------------------------------
    ing_cli, ing_http, ing_duck, ing_pg = (results[k] for k in ("ingest_cli", "ingest_http", "ingest_duckdb",
                                                                "ingest_pg"))
    sel, grp, dl, cat = results["select"], results["group"], results["download"], results["cat"]
    ok = lambda b: "yes" if b else "**no**"
    lines = [
        f"Run {datetime.date.today()} on {machine()}; {rows:,} rows × {len(items)} columns, "
        f"CSV {csv_bytes / 1e9:.2f} GB (`govshare synth --table population --seed 1`); "
        f"DuckDB {duck_version}, PostgreSQL {pg_version}. Command: `bench/run` (ROWS={rows}).",
        "",
        "| Measure | govshare | DuckDB | PostgreSQL | cat | Target | Met |",
        "|---|---:|---:|---:|---:|---|---|",
        f"| Ingest CSV → queryable version, rows/s (`govshare import`; median of {INGEST_RUNS}) | {fmt_rate(ing_cli[0])} | "
        f"{fmt_rate(ing_duck[0])} | {fmt_rate(ing_pg[0])} | | ≥ ½ DuckDB, ≥ 3× PostgreSQL | "
        f"{ok(ing_cli[0] >= ing_duck[0] / 2 and ing_cli[0] >= 3 * ing_pg[0])} |",
        f"| Ingest, HTTP upload to the server, rows/s | {fmt_rate(ing_http[0])} | | | | | |",
        f"| Ingest wall time, s (median of {INGEST_RUNS}) | {ing_cli[1]:.1f} | {ing_duck[1]:.1f} | {ing_pg[1]:.1f} | | | |",
        f"| Selective query ({expected:,} rows, 5 fields), ms (median of {RUNS}) | {sel[0]:.1f} | {sel[1]:.1f} | "
        f"{sel[2]:.1f} | | ≤ 2× DuckDB, < PostgreSQL | {ok(sel[0] <= 2 * sel[1] and sel[0] < sel[2])} |",
        f"| Group-by over all rows ({groups} groups), ms (median of {RUNS}) | {grp[0]:.1f} | {grp[1]:.1f} | "
        f"{grp[2]:.1f} | | ≤ 2× DuckDB, < PostgreSQL | {ok(grp[0] <= 2 * grp[1] and grp[0] < grp[2])} |",
        f"| Full CSV download, MB/s | {dl[0]:,.0f} | | | {cat[0]:,.0f} | ≥ 200 MB/s | {ok(dl[0] >= 200)} |",
        "",
        f"Peak memory during ingest (the highest of the runs): `govshare import` {ing_cli[2]:,.0f} MiB (DuckDB {ing_duck[2]:,.0f} MiB); "
        f"the server's peak RSS (VmHWM) after an HTTP upload of the whole file was {ing_http[2]:,.0f} MiB, "
        f"and its RSS after streaming the {dl[1] / 1e9:.2f} GB download was {dl[3]:,.0f} MiB.",
        "",
        f"The version govshare wrote is {len(files)} Parquet file of {results['parquet_bytes'] / 1e6:,.0f} MB "
        f"(LZ4, row groups sorted by region and date) for the {csv_bytes / 1e9:.2f} GB CSV. "
        "govshare's ingest runs on every core: one reader thread cuts the file into blocks of records, "
        "and one worker per core checks, sorts and encodes a block at a time (`crates/data/src/ingest.rs`).",
        "",
        "How it is measured: govshare's query and download go through HTTP with a consumer of another "
        "department (access check, purpose and audit event included); DuckDB queries the same Parquet "
        "files govshare wrote, in process; PostgreSQL queries its table (no index, as XLoader leaves it) "
        "over a local socket. govshare's ingest checks every row (types, lengths, citizen ID check digit "
        "and date, region codes, mobile numbers, key uniqueness); DuckDB and PostgreSQL only parse. "
        f"Each system ingests the file {INGEST_RUNS} times, each time from the same state (a fresh copy of "
        "the seeded data directory, a new DuckDB file, a new PostgreSQL table), after the file was read "
        "once into the page cache; the median run is shown: run-to-run noise on this shared machine is "
        "over 10%.",
    ]
    body = "\n".join(lines)
    print("\n" + body)
    write_section("shared-data", "## Shared data (issue 3)\n\n" + body)


# ---------------------------------------------------------------------------------------------
# sharing


def sharing(args):
    """Issue 4: grant check + masking + audit overhead on a 1,000-row query, and audit append
    throughput on SQLite and PostgreSQL (crates/service/benches/sharing.rs, built in release)."""
    log("sharing: cargo bench -p service --bench sharing")
    env = dict(os.environ)
    out = subprocess.run(
        ["cargo", "bench", "-p", "service", "--bench", "sharing", "--", "--postgres", args.postgres],
        cwd=ROOT, capture_output=True, text=True, env=env,
    )
    if out.returncode != 0:
        raise SystemExit(f"sharing bench failed:\n{out.stdout}\n{out.stderr[-4000:]}")
    table = out.stdout.strip()
    body = f"Run {datetime.date.today()} on {machine()}. Command: `bench/run --section sharing`.\n\n{table}"
    print("\n" + body)
    write_section("sharing", "## Sharing: grant enforcement and audit (issue 4)\n\n" + body)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--rows", type=int, default=10_000_000)
    p.add_argument("--work", required=True)
    p.add_argument("--postgres", required=True)
    p.add_argument("--section", default="all", choices=["all", "shared-data", "sharing"])
    args = p.parse_args()
    if args.section in ("all", "shared-data"):
        shared_data(args)
    if args.section in ("all", "sharing"):
        sharing(args)


if __name__ == "__main__":
    main()
