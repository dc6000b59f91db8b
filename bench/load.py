"""Load benchmark of the public pages against gunicorn, next to a bare endpoint on the same stack.

    .venv/bin/python -m bench.load \\
        --database 10k=postgresql+psycopg://postgres@127.0.0.1/supervise_bench_10k \\
        --database 1m=postgresql+psycopg://postgres@127.0.0.1/supervise_bench_1m

For each database: starts the platform (``gunicorn -w 2×cores -k sync wsgi:app``, production settings,
no Redis) and the bare app (:mod:`bench.bare_app`, same gunicorn settings) and waits until they answer.
Then drives each page on each database in turn with ``wrk`` (a warm-up run, then the measured runs;
``bench/wrk_report.lua`` reports the percentiles and the non-2xx responses), and stops every server
whatever happens. Runs twice by default: with the public-page cache off (``CACHE_TYPE=NullCache``: every
request renders, which is what the database size can change) and on (as deployed without Redis: each
process keeps its pages); ``--cache redis`` adds the shared Redis cache of production. Prints
p50/p95/p99 latency, throughput and errors per page and database, the latency ratio of the last
database to the first, and each page's throughput against the bare endpoint's on the same database.
Targets (issue 4): ratio ≤ 1.5 and throughput ≥ 0.5 of bare.

The staff pages (issue 10, :mod:`bench.staff`: the unit workbench and each tab, the console's queues,
the enterprise portal, the notification centre) are driven logged in, each with a session of its own
user; their target is a ratio ≤ 1.5 and ≥ 0.25 of the bare endpoint's throughput. ``--only`` picks
pages by key (``unit_all``, ``console_to_accept``, ``enterprise``, ``notifications`` …).
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

import psycopg
from sqlalchemy.engine import make_url

from bench import staff

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "wrk_report.lua"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
DEEP_RANK = 4000  # the deep page starts after the 4,000th published ticket: page 201 of 20
DETAIL_SAMPLE = 1000
FILTER_CATEGORY, FILTER_UNIT = "子女入学", "高新区社会事业局（教育）"
SEARCH_WORD, SEARCH_PHRASE = "补贴", "稳岗返还"
# In about 0.5 % of the published tickets: some 25 among the newest 5,000 (disclosure.SEARCH_WINDOW),
# where a page of results may or may not be found before the whole index must answer.
SEARCH_MIDDLING = "医疗器械"
LATENCY_TARGET, THROUGHPUT_TARGET = 1.5, 0.5


@dataclass
class Target:
    key: str
    path: str  # the path, or the first of ``paths``
    paths: list[str] | None = None  # a random one per request (detail pages)
    bare: bool = False
    cookie: str | None = None  # a logged-in user's session (staff pages)


def targets_for(dsn: str, today: date) -> list[Target]:
    """The pages to drive on this database: cursors, ids and tracking numbers read from it."""
    from supervise.domain.disclosure import encode_cursor

    with psycopg.connect(dsn) as conn:
        deep = conn.execute(
            "SELECT published_at, id FROM tickets WHERE published_at IS NOT NULL "
            "ORDER BY published_at DESC, id DESC OFFSET %s LIMIT 1",
            (DEEP_RANK - 1,),
        ).fetchone()
        category = conn.execute("SELECT id FROM categories WHERE name = %s", (FILTER_CATEGORY,)).fetchone()[0]
        unit = conn.execute("SELECT id FROM units WHERE name = %s", (FILTER_UNIT,)).fetchone()[0]
        tracking = [
            r[0]
            for r in conn.execute(
                "SELECT tracking_no FROM tickets WHERE published_at IS NOT NULL ORDER BY random() LIMIT %s",
                (DETAIL_SAMPLE,),
            )
        ]
    cursor = encode_cursor(SimpleNamespace(published_at=deep[0], id=deep[1])) if deep else ""
    details = [f"/disclosure/{no}" for no in tracking]
    return [
        Target("home", "/"),
        Target("list", "/disclosure"),
        Target("list_deep", "/disclosure?" + urlencode({"after": cursor})),
        Target("list_filtered", "/disclosure?" + urlencode({"category": category, "unit": unit})),
        Target("detail", details[0], paths=details),
        Target("search_word", "/disclosure?" + urlencode({"q": SEARCH_WORD})),
        Target("search_phrase", "/disclosure?" + urlencode({"q": SEARCH_PHRASE})),
        Target("search_middling", "/disclosure?" + urlencode({"q": SEARCH_MIDDLING})),
        Target("stats", "/stats"),
        Target("stats_year", "/stats?" + urlencode({"period": today.year - 1, "group": "category"})),
        Target("bare", "/bare", bare=True),
    ]


def libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _get(url: str, timeout: float = 30, cookie: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def _port_free(port: int) -> bool:
    try:
        _get(f"http://127.0.0.1:{port}/", timeout=1)
    except (urllib.error.URLError, OSError):
        return True
    return False


@contextmanager
def gunicorn(
    app: str, port: int, database_url: str, workers: int, probe: str, log: Path, extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    """Serve ``app`` on ``port`` until the block ends; yields the base URL once ``probe`` answers 200."""
    if not _port_free(port):
        sys.exit(f"port {port} is in use: choose another with --port")
    env = {
        **os.environ,
        "SUPERVISE_ENV": "production",
        "SECRET_KEY": staff.SECRET_KEY,
        "TRUSTED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        **(extra_env or {}),
    }
    if "REDIS_URL" not in (extra_env or {}):
        env.pop("REDIS_URL", None)
    command = [str(GUNICORN), "-w", str(workers), "-k", "sync", "--bind", f"127.0.0.1:{port}", app]
    with open(log, "ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                sys.exit(f"{app} exited with {process.returncode}; see {log}")
            try:
                status = _get(base + probe)
                if status == 200:
                    break
                sys.exit(f"{app}: GET {probe} answered {status}; see {log}")
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    sys.exit(f"{app} did not answer within 120 s; see {log}")
                time.sleep(0.5)
        yield base
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # the master stops its workers
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wrk(
    url: str, seconds: int, threads: int, connections: int, paths_file: str | None, cookie: str | None = None
) -> dict:
    env = dict(os.environ)
    if paths_file:
        env["WRK_PATHS"] = paths_file
    command = [
        "wrk",
        *(["-H", f"Cookie: {cookie}"] if cookie else []),
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(LUA),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode:
        sys.exit(f"wrk failed on {url}: {done.stderr or done.stdout}")
    out = done.stdout
    line = next(line for line in out.splitlines() if line.startswith("WRK_JSON "))
    result = json.loads(line.removeprefix("WRK_JSON "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[k] for k in ("non2xx", "connect_errors", "read_errors", "write_errors", "timeouts"))
    return result


def _cpu_times() -> tuple[int, int]:
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    return sum(values), values[3] + values[4]  # total, idle + iowait


def cpu_busy(seconds: float = 1.0) -> float:
    """The share of CPU time the whole machine spent busy over the next ``seconds``."""
    total, idle = _cpu_times()
    time.sleep(seconds)
    total2, idle2 = _cpu_times()
    return 1 - (idle2 - idle) / max(total2 - total, 1)


def settle(limit: float, wait: float) -> float:
    """Wait (up to ``wait`` seconds) until the machine is quiet: other work running during a run would be
    measured too. Returns the busy share seen last."""
    deadline = time.monotonic() + wait
    busy = cpu_busy()
    while busy > limit and time.monotonic() < deadline:
        busy = cpu_busy(2.0)
    if busy > limit:
        print(f"   (the machine is still {busy:.0%} busy with other work: figures will suffer)", flush=True)
    return busy


def median_run(runs: list[dict], path: str) -> dict:
    """The run of median throughput, with every run's throughput alongside."""
    result = dict(sorted(runs, key=lambda r: r["rps"])[len(runs) // 2])
    result["path"] = path
    result["runs_rps"] = [round(r["rps"], 1) for r in runs]
    return result


def redis_database(url: str, number: int) -> str:
    """``url`` pointed at database ``number``, emptied."""
    import redis

    url = f"{url.rstrip('/')}/{number}"
    redis.Redis.from_url(url).flushdb()
    return url


def _serve(
    stack: ExitStack, i: int, label: str, url: str, args: argparse.Namespace, logs: Path, cache: str
) -> tuple[str, str]:
    """Start the site and the bare app on ``url`` (ports of database ``i``); their base URLs."""
    port = args.port + 2 * i
    site_env = {"CACHE_TYPE": "NullCache"} if cache == "off" else {}
    if cache == "redis":
        site_env = {"REDIS_URL": redis_database(args.redis, 12 + i)}
    return (
        stack.enter_context(
            gunicorn("wsgi:app", port, url, args.workers, "/", logs / f"site-{label}-cache-{cache}.log", site_env)
        ),
        stack.enter_context(
            gunicorn("bench.bare_app:app", port + 1, url, args.workers, "/bare", logs / f"bare-{label}.log")
        ),
    )


def _warmed_up(base: str, target, label: str, key: str, args: argparse.Namespace, logs: Path) -> tuple[str, str | None]:
    """The target's URL (and its file of paths, if any), checked once and warmed up."""
    url = base + target.path
    paths_file = None
    if target.paths:
        paths_file = str(logs / f"paths-{label}-{key}.txt")
        Path(paths_file).write_text("\n".join(target.paths) + "\n")
    status = _get(url, cookie=target.cookie)
    if status != 200:
        print(f"   {label} {key}: GET {target.path} answered {status}", flush=True)
    if args.warmup > 0:
        wrk(url, args.warmup, args.threads, args.connections, paths_file, target.cookie)
    return url, paths_file


def run(
    databases: list[tuple[str, str]], args: argparse.Namespace, logs: Path, cache: str
) -> dict[str, dict[str, dict]]:
    """Serve every database at once (idle servers cost nothing) and drive each page on each database in
    alternation, run after run, so that whatever else the machine is doing weighs on both sides of a
    ratio alike. ``cache`` "off" serves every request from the database (``CACHE_TYPE=NullCache``);
    "on" keeps the configured public-page cache (in-process SimpleCache without Redis); "redis" gives
    the site ``--redis`` (a database of its own, emptied first), as production does: one cache shared
    by every worker."""
    from supervise.domain.clock import now

    results: dict[str, dict[str, dict]] = {label: {} for label, _ in databases}
    with ExitStack() as stack:
        bases, targets = {}, {}
        for i, (label, url) in enumerate(databases):
            found = targets_for(libpq_url(url), now().date())
            found[-1:-1] = [Target(key, path, cookie=cookie) for key, path, cookie in staff.staff_pages(url)]
            targets[label] = {t.key: t for t in found if not args.only or t.key in args.only}
            bases[label] = _serve(stack, i, label, url, args, logs, cache)
        for key in targets[databases[0][0]]:
            jobs = {}
            for label, _ in databases:
                target = targets[label][key]
                url, paths_file = _warmed_up(bases[label][1 if target.bare else 0], target, label, key, args, logs)
                jobs[label] = (url, paths_file, [], target.cookie)
            for _ in range(args.repeat):
                for url, paths_file, runs, cookie in jobs.values():
                    busy = settle(args.settle, args.settle_wait) if args.settle < 1 else None
                    measured = wrk(url, args.duration, args.threads, args.connections, paths_file, cookie)
                    runs.append({**measured, "busy_before": busy})
            for label, (_, _, runs, _) in jobs.items():
                result = results[label][key] = median_run(runs, targets[label][key].path)
                print(
                    f"   {label:>5} {key:<14} p50 {result['p50_us'] / 1000:8.1f} ms  "
                    f"p95 {result['p95_us'] / 1000:8.1f} ms  p99 {result['p99_us'] / 1000:8.1f} ms  "
                    f"{result['rps']:8.1f} req/s  errors {result['errors']}  runs {result['runs_rps']}",
                    flush=True,
                )
    return results


def _ms(us: float) -> str:
    return f"{us / 1000:.1f}"


def _header(labels: list[str]) -> list[str]:
    first, last = labels[0], labels[-1]
    header = ["page"]
    for label in labels:
        header += [f"{label} p50", f"{label} p95", f"{label} p99", f"{label} req/s", f"{label} err"]
    if len(labels) > 1:
        header.append(f"p50 {last}/{first}")
    return header + [f"req/s vs bare ({last})", "targets"]


def _figures(r: dict | None) -> list[str]:
    if not r:
        return ["-"] * 5
    return [_ms(r["p50_us"]), _ms(r["p95_us"]), _ms(r["p99_us"]), f"{r['rps']:.1f}", str(r["errors"])]


def _p50_ratio(results: dict[str, dict[str, dict]], labels: list[str], key: str) -> float | None:
    """The p50 of the last database over the first's; None with one database or a page missing."""
    first, last = results[labels[0]], results[labels[-1]]
    if len(labels) > 1 and key in first and key in last:
        return last[key]["p50_us"] / max(first[key]["p50_us"], 1)
    return None


def _bare_share(figures: dict[str, dict], key: str) -> float | None:
    """The page's throughput over the bare endpoint's, on one database; None without both."""
    bare = figures.get("bare")
    return figures[key]["rps"] / bare["rps"] if bare and key in figures else None


def _verdict(key: str, ratio: float | None, share: float | None) -> str:
    if key == "bare":
        return ""
    misses = []
    if ratio is not None and ratio > LATENCY_TARGET:
        misses.append("latency")
    if share is not None and share < (staff.THROUGHPUT_TARGET if staff.is_staff(key) else THROUGHPUT_TARGET):
        misses.append("throughput")
    return "MISS " + "+".join(misses) if misses else "ok"


def _row(results: dict[str, dict[str, dict]], labels: list[str], key: str) -> list[str]:
    row = [key]
    for label in labels:
        row += _figures(results[label].get(key))
    ratio, share = _p50_ratio(results, labels, key), _bare_share(results[labels[-1]], key)
    if len(labels) > 1:
        row.append(f"{ratio:.2f}" if ratio is not None else "-")
    row.append(f"{share:.2f}" if share is not None else "-")
    row.append(_verdict(key, ratio, share))
    return row


def table(results: dict[str, dict[str, dict]], markdown: bool = False) -> str:
    """Per page: each database's figures, the p50 ratio of the last database to the first, and the
    throughput against the bare endpoint on the last database."""
    labels = list(results)
    first, last = labels[0], labels[-1]
    keys = list(results[last]) or list(results[first])
    header = _header(labels)
    rows = [_row(results, labels, key) for key in keys]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        for r in [header, *rows]
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database",
        action="append",
        metavar="LABEL=URL",
        required=True,
        help="a database to benchmark, e.g. 1m=postgresql+psycopg://…; the first is the reference",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per page")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per page, not measured (0: none)")
    parser.add_argument("--repeat", type=int, default=1, help="measured runs per page; the median is reported")
    parser.add_argument(
        "--settle",
        type=float,
        default=0.15,
        help="before each run, wait until the machine is at most this busy (1: do not wait)",
    )
    parser.add_argument("--settle-wait", type=float, default=30, help="longest wait for the machine to settle (s)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers")
    parser.add_argument(
        "--port", type=int, default=5981, help="first port: each database's platform and bare app take the next two"
    )
    parser.add_argument("--only", type=lambda s: s.split(","), help="comma-separated page keys")
    parser.add_argument(
        "--cache",
        type=lambda s: s.split(","),
        default=["off", "on"],
        help="public page cache modes to run, in order: off (every request renders), "
        "on (in each process, as deployed without Redis), redis (shared, as in production)",
    )
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379",
        help="Redis server for --cache redis (databases 12 and up are emptied and used)",
    )
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers on the way out
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    databases = [tuple(spec.split("=", 1)) for spec in args.database]
    logs = Path(tempfile.mkdtemp(prefix="supervise-bench-"))
    print(
        f"{os.cpu_count()} cores; gunicorn {args.workers} sync workers; wrk {args.threads} threads, "
        f"{args.connections} connections, {args.warmup:g} s warm-up + {args.duration:g} s per page; logs in {logs}",
        flush=True,
    )
    results = {}
    for cache in args.cache:
        print(f"-- public page cache {cache}", flush=True)
        results[cache] = run(databases, args, logs, cache)
    for cache, figures in results.items():
        print(f"\nPublic page cache {cache}:\n")
        print(table(figures))
    for cache, figures in results.items():
        print(f"\nPublic page cache {cache}:\n")
        print(table(figures, markdown=True))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
