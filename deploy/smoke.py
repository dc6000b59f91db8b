"""The deployment of deploy/ on one machine, started for real and checked.

    .venv/bin/python deploy/smoke.py --database-url postgresql+psycopg://postgres@127.0.0.1/sv_smoke \
        --redis-url redis://127.0.0.1:6379/9

starts nginx (with deploy/nginx/supervise.conf; Debian's nginx is installed when missing) → two
gunicorn instances (deploy/gunicorn.conf.py) → two RQ workers → two schedulers, on one PostgreSQL
database and one Redis database, and proves:

1. a complaint filed through one instance with an attachment is downloaded through the other (the
   files in one shared directory, or S3 with ``--s3-endpoint``);
2. a session made on one instance works on the other, and through nginx on both;
3. nginx serves the static files itself, and answers the probes;
4. killing one gunicorn instance loses no request that nginx can retry;
5. each periodic job runs once per period with two workers, and the second scheduler does not
   double the schedule.

The database and the Redis database are the smoke's own: both are emptied first. Exit status 0 when
every check passed; the processes' logs stay in ``--workdir``.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n" + os.urandom(2048)
ENTERPRISE_LOGIN = "ent01"  # flask seed's demo accounts share one password
SECRET_KEY = "smoke-test-secret-key-of-at-least-32-bytes!"


def log(message: str) -> None:
    print(f"[smoke {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Deployment:
    """Every process of the deployment, started in order and stopped in reverse."""

    def __init__(self, database_url: str, redis_url: str, workdir: Path, s3: dict[str, str] | None = None):
        self.workdir = workdir
        self.nginx_port, self.web_ports = free_port(), [free_port(), free_port()]
        self.base = f"http://127.0.0.1:{self.nginx_port}"
        self.processes: dict[str, subprocess.Popen] = {}
        self.database_url, self.redis_url = database_url, redis_url
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TEST_", "FLASK_", "SUPERVISE_", "PROMETHEUS_", "STORAGE_", "S3_"))
        }
        # deploy/supervise.env.example, with the smoke's services and folders.
        self.env.update(
            SUPERVISE_ENV="production",
            SECRET_KEY=SECRET_KEY,
            PUBLIC_BASE_URL=self.base,
            TRUSTED_PROXIES="1",
            TRUSTED_HOSTS="127.0.0.1",
            SESSION_COOKIE_SECURE="0",  # plain HTTP on the loopback
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            SUPERVISE_INSTANCE=str(workdir / "instance"),
            UPLOAD_DIR=str(workdir / "uploads"),
            METRICS_ALLOWED_IPS="127.0.0.1",
            FLASK_APP="wsgi",
            MAIL_BACKEND=f"file:{workdir / 'mail.jsonl'}",
            SMS_BACKEND=f"file:{workdir / 'sms.jsonl'}",
            WEB_CONCURRENCY="1",
            GUNICORN_THREADS="4",
            PYTHONPATH=str(ROOT),
        )
        if s3:
            self.env.update(STORAGE_BACKEND="s3", **s3)

    # ---------------------------------------------------------------- processes

    def _start(self, name: str, command: list[str], **extra: str) -> subprocess.Popen:
        out = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115  (kept open by the child)
        process = subprocess.Popen(
            command, cwd=ROOT, env={**self.env, **extra}, stdout=out, stderr=out, start_new_session=True
        )
        out.close()
        self.processes[name] = process
        return process

    def flask(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "flask", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300
        )
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
        return done.stdout

    def prepare(self) -> None:
        """An empty database at the migrations' head with the demo's reference data, an empty Redis."""
        import redis
        from sqlalchemy import create_engine, text

        engine = create_engine(self.database_url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        redis.Redis.from_url(self.redis_url).flushdb()
        self.flask("db", "upgrade")

    def start_nginx(self) -> None:
        nginx = ensure_nginx()
        site = (DEPLOY / "nginx" / "supervise.conf").read_text()
        for old, new in (
            ("127.0.0.1:8001", f"127.0.0.1:{self.web_ports[0]}"),
            ("127.0.0.1:8002", f"127.0.0.1:{self.web_ports[1]}"),
            ("listen 80;", f"listen 127.0.0.1:{self.nginx_port};"),
            ("/srv/supervise/app/", f"{ROOT}/"),
        ):
            assert old in site, old
            site = site.replace(old, new)
        prefix = self.workdir / "nginx"
        prefix.mkdir(exist_ok=True)
        (prefix / "supervise.conf").write_text(site)
        temp = "\n".join(
            f"    {kind}_temp_path {prefix}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (prefix / "nginx.conf").write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    access_log {prefix}/access.log;
{temp}
    include {prefix}/supervise.conf;
}}
""")
        self._start("nginx", [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf")])
        wait_for(lambda: _answers(f"{self.base}/static/css/app.css"), "nginx", self.processes["nginx"])

    def start_web(self, index: int) -> None:
        port = self.web_ports[index]
        self._start(
            f"web{index + 1}",
            [sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py"), "wsgi:app"],
            GUNICORN_BIND=f"127.0.0.1:{port}",
            PROMETHEUS_MULTIPROC_DIR=str(self.workdir / f"metrics-{port}"),
        )

    def wait_for_web(self) -> None:
        for index, port in enumerate(self.web_ports):
            wait_for(
                lambda port=port: _answers(f"http://127.0.0.1:{port}/readyz"),
                f"web{index + 1}",
                self.processes[f"web{index + 1}"],
                seconds=90,
            )

    def start_workers_and_schedulers(self) -> None:
        for number in (1, 2):
            self._start(f"worker{number}", [sys.executable, "-m", "flask", "worker", "--name", f"smoke-{number}"])
        for number in (1, 2):
            self._start(f"scheduler{number}", [sys.executable, "-m", "flask", "scheduler"])

    def kill(self, name: str) -> None:
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait(10)

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for name, process in self.processes.items():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                log(f"{name} did not stop; killed")
                os.killpg(process.pid, signal.SIGKILL)

    def alive(self) -> list[str]:
        return [name for name, process in self.processes.items() if process.poll() is None]


def ensure_nginx() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("nginx is not installed: apt-get install nginx-light")
    log("installing Debian's nginx")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "install", "-y", "-qq", "nginx-light"], env=env).returncode:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "nginx-light"], env=env, check=True)
    return shutil.which("nginx") or "/usr/sbin/nginx"


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def wait_for(ready, what: str, process: subprocess.Popen | None = None, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        if ready():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not become ready in {seconds} s")


class Visitor(requests.Session):
    """A browser: one cookie jar whichever server (port) it talks to."""

    def page(self, url: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        kwargs.setdefault("allow_redirects", False)
        return self.get(url, **kwargs)

    def form(self, url: str) -> tuple[str, str]:
        page = self.page(url)
        assert page.status_code == 200, (url, page.status_code)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        assert token, f"no CSRF token on {url}"
        return page.text, token.group(1)

    def login(self, base: str, username: str, password: str) -> None:
        _page, token = self.form(f"{base}/auth/login")
        done = self.post(
            f"{base}/auth/login",
            data={"csrf_token": token, "username": username, "password": password},
            allow_redirects=False,
            timeout=30,
        )
        assert done.status_code == 302, f"login failed: {done.status_code}"


def _options(page: str, field: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{field}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no {field} on the form"
    return [value for value in re.findall(r'<option[^>]*value="([^"]+)"', select.group(1)) if value]


# ---------------------------------------------------------------- the checks


def check_static_and_probes(d: Deployment) -> None:
    static = requests.get(f"{d.base}/static/css/app.css", timeout=10)
    assert static.status_code == 200 and "max-age=604800" in static.headers.get("Cache-Control", ""), (
        "static files are not served by nginx"
    )
    ready = requests.get(f"{d.base}/readyz", timeout=10)
    assert ready.json()["status"] == "ok", ready.text
    assert requests.get(f"{d.base}/metrics", timeout=10).status_code == 404  # only on the instances' ports
    assert requests.get(f"http://127.0.0.1:{d.web_ports[0]}/metrics", timeout=10).status_code == 200
    log("nginx serves the static files; /readyz ok; /metrics only on the instances")


def check_filing_and_session(d: Deployment, password: str) -> None:
    one, other = (f"http://127.0.0.1:{port}" for port in d.web_ports)
    visitor = Visitor()
    visitor.login(one, ENTERPRISE_LOGIN, password)
    assert visitor.page(f"{other}/my/").status_code == 200, "the session of one instance is not valid on the other"
    for _ in range(4):  # through nginx: the requests fall on both instances in turn
        assert visitor.page(f"{d.base}/my/").status_code == 200
    log("a session made on one instance works on the other and through nginx")

    page, token = visitor.form(f"{one}/my/new")
    area = _options(page, "area_id")[0]
    filed = None
    for category in _options(page, "category_id"):
        data = {
            "csrf_token": token,
            "submission_key": f"smoke-{category}",
            "category_id": category,
            "title": "部署冒烟测试",
            "description": "通过一个实例提交、另一个实例下载附件。",
            "area_id": area,
            "contact_name": "王建国",
            "contact_mobile": "13912345678",
            "contact_email": "wang@corp.example",
            "publish_consent": "y",
        }
        done = visitor.post(
            f"{one}/my/new",
            data=data,
            files={"files": ("材料.pdf", PDF, "application/pdf")},
            allow_redirects=False,
            timeout=60,
        )
        if done.status_code == 302:
            filed = done.headers["Location"]
            break
    assert filed, "no category could be filed"
    ticket_page = visitor.page(filed if filed.startswith("http") else f"{one}{filed}")
    link = re.search(r'href="(?:[^"]*)?(/files/\d+)"', ticket_page.text)
    assert link, "the ticket page has no attachment link"
    download = visitor.page(f"{other}{link.group(1)}")
    assert download.status_code == 200 and download.content == PDF, "the file is not there on the other instance"
    log(f"a complaint filed on :{d.web_ports[0]} with an attachment; downloaded on :{d.web_ports[1]}")


def check_failover(d: Deployment) -> None:
    """GET requests through nginx, four at a time, while one instance is killed: none fails."""
    results: list[int | str] = []
    stop = threading.Event()

    def visit() -> None:
        session = requests.Session()
        while not stop.is_set():
            try:
                results.append(session.get(f"{d.base}/disclosure", timeout=30).status_code)
            except requests.RequestException as err:
                results.append(type(err).__name__)

    threads = [threading.Thread(target=visit) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    before = len(results)
    d.kill("web1")
    time.sleep(3)
    stop.set()
    for thread in threads:
        thread.join(60)
    failed = Counter(r for r in results if r != 200)
    assert before > 0 and len(results) > before, "no requests were made"
    assert not failed, f"requests lost while an instance died: {dict(failed)} of {len(results)}"
    log(f"web1 killed under load: {len(results)} requests through nginx, {len(results) - before} after, none lost")


def check_schedule(d: Deployment, started: float, minimum_wait: float = 4) -> None:
    """Every periodic run in the database: one per job and period, though two schedulers and two
    workers ran. The minute jobs must have come due at least once."""
    from sqlalchemy import create_engine, text

    engine = create_engine(d.database_url)

    def runs() -> list[tuple[str, object, object]]:
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT name, started_at, finished_at FROM job_runs")))

    deadline = started + 90
    while time.monotonic() < deadline:
        finished = {name for name, _start, end in runs() if end is not None}
        if {"relay_outbox", "refresh_measures"} <= finished:
            break
        time.sleep(1)
    else:
        raise AssertionError(f"the minute jobs did not run: {runs()}")
    time.sleep(minimum_wait)  # a doubled enqueue would have run by now (two idle workers)
    per_period = Counter((name, start.replace(second=0, microsecond=0)) for name, start, _end in runs())
    doubled = {key: count for key, count in per_period.items() if count > 1}
    engine.dispose()
    assert not doubled, f"periodic jobs ran more than once a period: {doubled}"
    alive = d.alive()
    assert {"scheduler1", "scheduler2", "worker1", "worker2"} <= set(alive), f"stopped: {alive}"
    log(f"periodic runs, each once a period with 2 workers and 2 schedulers: {sorted(per_period)}")


def run(database_url: str, redis_url: str, workdir: Path, s3: dict[str, str] | None = None) -> None:
    from supervise.seed import DEMO_PASSWORD

    began = time.monotonic()
    d = Deployment(database_url, redis_url, workdir, s3)
    try:
        d.prepare()
        log(f"database at head, Redis empty ({time.monotonic() - began:.0f} s)")
        d.start_nginx()
        for index in (0, 1):
            d.start_web(index)
        d.start_workers_and_schedulers()
        scheduled = time.monotonic()
        # The demo's reference data and accounts, loaded while the processes start (the minute jobs
        # come due at the next minute whatever the smoke does meanwhile).
        d.flask("seed", "--tickets", "0")
        d.wait_for_web()
        log(
            f"nginx :{d.nginx_port} → gunicorn :{d.web_ports[0]} :{d.web_ports[1]}, 2 workers, 2 schedulers "
            f"({time.monotonic() - began:.0f} s)"
        )
        check_static_and_probes(d)
        check_filing_and_session(d, DEMO_PASSWORD)
        check_failover(d)
        check_schedule(d, scheduled)
        log(f"all checks passed in {time.monotonic() - began:.0f} s")
    finally:
        d.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database of the smoke's own (emptied)")
    parser.add_argument("--redis-url", required=True, help="a Redis database of the smoke's own (emptied)")
    parser.add_argument("--workdir", help="logs and files (default: a new temporary folder)")
    parser.add_argument("--s3-endpoint", help="keep the files on this S3 API (with --s3-bucket and the keys)")
    parser.add_argument("--s3-bucket", default="supervise")
    args = parser.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="supervise-smoke-"))
    workdir.mkdir(parents=True, exist_ok=True)
    s3 = None
    if args.s3_endpoint:
        s3 = {
            "S3_ENDPOINT_URL": args.s3_endpoint,
            "S3_BUCKET": args.s3_bucket,
            "S3_ACCESS_KEY_ID": os.environ.get("S3_ACCESS_KEY_ID", ""),
            "S3_SECRET_ACCESS_KEY": os.environ.get("S3_SECRET_ACCESS_KEY", ""),
        }
    log(f"logs in {workdir}")
    run(args.database_url, args.redis_url, workdir, s3)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
