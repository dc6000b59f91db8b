"""Intake benchmark: an Open311 POST and the enterprise's web form against a bare insert, in one run.

    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python -m bench.intake --requests 100 \\
        postgresql+psycopg://postgres@127.0.0.1/sv_delivery_bench_10k \\
        postgresql+psycopg://postgres@127.0.0.1/sv_delivery_bench_1m

For each database (a copy of a ``bench.generate`` database: the run files complaints into it) the
platform's app runs in this process with jobs handed to RQ on REDIS_URL (the queues are emptied after),
and ``--requests`` requests of each kind go through Flask's test client one after another (no network,
no web server: the figure is the cost of the request inside the app): a bare insert (one row into a
table of its own, then commit, through the same Flask, SQLAlchemy and psycopg), an Open311 POST with
an API key, and the web form of a logged-in enterprise user. Prints each one's mean milliseconds and
its throughput as a fraction of the bare insert's.
"""

import argparse
import itertools
import time

from sqlalchemy import select, text

BARE_TABLE = text("CREATE TABLE IF NOT EXISTS bench_bare_insert (id bigserial PRIMARY KEY, title text, body text)")
BARE_INSERT = text("INSERT INTO bench_bare_insert (title, body) VALUES (:title, :body)")
counter = itertools.count()


def make_app(url: str, redis_url: str):
    from supervise import create_app

    app = create_app(
        "development",
        SQLALCHEMY_DATABASE_URI=url,
        REDIS_URL=redis_url,
        JOBS_MODE="rq",
        RATELIMIT_ENABLED=False,
        WTF_CSRF_ENABLED=False,
        MAIL_BACKEND="log",
        SECRET_KEY="bench-secret-key-of-at-least-32-bytes",
        SESSION_COOKIE_SECURE=False,
    )

    @app.post("/bench/bare-insert")
    def bare_insert():
        from supervise.extensions import db

        db.session.execute(BARE_INSERT, {"title": "职工子女入学难", "body": "我公司职工子女今年秋季没有学位。"})
        db.session.commit()
        return "", 201

    return app


def open311_fields(client, secret: str, enterprise) -> dict:
    """A filled service request for the first service, every required attribute answered."""
    services = client.get("/open311/v2/services.json").get_json()
    code = services[0]["service_code"]
    definition = client.get(f"/open311/v2/services/{code}.json").get_json()
    fields = {
        "api_key": secret,
        "service_code": code,
        "description": "我公司职工子女今年秋季入学没有学位，希望协调解决。",
        "first_name": "建国",
        "last_name": "王",
        "phone": "139 1234 5678",
        "email": "wang@corp.example",
        "attribute[credit_code]": enterprise.credit_code,
        "attribute[company_name]": enterprise.name,
    }
    for attribute in definition.get("attributes", []):
        name = f"attribute[{attribute['code']}]"
        if attribute.get("required") and name not in fields:
            values = attribute.get("values") or []
            fields[name] = str(values[0]["key"]) if values else "测试"
    return fields


def web_fields(category_id: int, area_id: int) -> dict:
    return {
        "submission_key": f"bench-{time.time_ns()}-{next(counter)}",
        "category_id": str(category_id),
        "title": "职工子女入学难",
        "description": "我公司三名职工的子女今年秋季没有学位。",
        "area_id": str(area_id),
        "contact_name": "王建国",
        "contact_mobile": "13912345678",
        "contact_email": "wang@corp.example",
        "publish_consent": "y",
    }


def timed(count: int, call) -> float:
    """Mean milliseconds of ``call()`` over ``count`` calls (after two to warm up)."""
    for _ in range(2):
        call()
    started = time.perf_counter()
    for _ in range(count):
        call()
    return (time.perf_counter() - started) * 1000 / count


def measure(url: str, redis_url: str, count: int, with_form: bool) -> dict:
    from supervise import jobs
    from supervise.extensions import db
    from supervise.models import Category, Enterprise, Role, Ticket, User
    from supervise.open311 import keys

    app = make_app(url, redis_url)
    with app.app_context():
        db.session.execute(BARE_TABLE)
        _key, secret = keys.issue(f"bench {time.time_ns()}")
        user = db.session.scalar(
            select(User).where(User.role == Role.ENTERPRISE, User.active.is_(True)).order_by(User.id).limit(1)
        )
        session_id = user.open_session()
        enterprise = db.session.get(Enterprise, user.enterprise_id)
        category = db.session.scalar(select(Category).where(Category.parent_id.is_not(None)).limit(1))
        area_id = category.parent_id
        tickets = db.session.scalar(select(Ticket.id).order_by(Ticket.id.desc()).limit(1))
        db.session.commit()
        category_id = category.id
        client = app.test_client()
        fields = open311_fields(client, secret, enterprise)
    # The requests run outside that application context, each in its own as in production: a request
    # inside it would share its ``g``, and Flask-Login's user cached there by the first (anonymous)
    # request would answer for the logged-in web form too.
    web = app.test_client()
    with web.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = session_id, True

    def open311():
        data = dict(fields, **{"attribute[client_request_id]": f"bench-{time.time_ns()}-{next(counter)}"})
        response = client.post("/open311/v2/requests.json", data=data)
        assert response.status_code == 201, response.get_data(as_text=True)[:300]

    def form():
        response = web.post("/my/new", data=web_fields(category_id, area_id))
        assert response.status_code == 302 and "/my/tickets/" in response.location, response.location

    def bare():
        assert client.post("/bench/bare-insert").status_code == 201

    figures = {"tickets": tickets, "bare": timed(count, bare), "open311": timed(count, open311)}
    if with_form:
        figures["form"] = timed(count, form)
    with app.app_context():
        for name in jobs.QUEUES:
            jobs.get_queue(name).empty()
        db.engine.dispose()
    return figures


def main() -> None:
    import os

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("databases", nargs="+")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--form", action="store_true", help="also the logged-in web form")
    args = parser.parse_args()
    redis_url = os.environ["REDIS_URL"]
    print("| tickets | bare insert | Open311 POST | ÷ bare | web form | ÷ bare |")
    print("|---|---|---|---|---|---|")
    for url in args.databases:
        f = measure(url, redis_url, args.requests, args.form)
        form = f"{f['form']:.1f} ms | {f['bare'] / f['form']:.2f}" if "form" in f else "– | –"
        print(
            f"| {f['tickets']:,} | {f['bare']:.1f} ms | {f['open311']:.1f} ms | {f['bare'] / f['open311']:.2f} "
            f"| {form} |"
        )


if __name__ == "__main__":
    main()
