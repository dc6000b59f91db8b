"""The co-handled half of the workbench's timed counts, read two ways on the same database (issue 10).

    .venv/bin/python -m bench.cohandled --repeat 7 \\
        --database 10k=postgresql+psycopg://postgres@127.0.0.1/supervise_bench_10k \\
        --database 1m=postgresql+psycopg://postgres@127.0.0.1/supervise_bench_1m

For the unit whose handler ``bench.load`` logs in as (the busiest lead unit, :mod:`bench.staff`), the
overdue and due-soon counts of the tickets it co-handles, and the first page of its co-handled
overdue list: *joined* (``ticket_co_units`` joined to ``tickets`` for each row's state and due date,
as before the copies) and *copies* (``ticket_co_units`` alone, through
``ix_ticket_co_units_unit_state_due``: :func:`supervise.domain.co_copies.co_handled`, what the
workbench runs). Each query is run under ``EXPLAIN (ANALYZE, BUFFERS)`` ``--repeat`` times after one
warm-up; prints the median execution time, the count, the plan's top scan and the buffers it touched.
"""

import argparse
import re
import statistics

from sqlalchemy import func, select

from bench import staff

PLAN_NODE = re.compile(r"(Index Only Scan|Bitmap Index Scan|Index Scan|Bitmap Heap Scan|Seq Scan)( Backward)?( using \S+)?( on \S+)")


def queries(unit_id: int) -> list[tuple[str, str, object]]:
    """(name, form, SQLAlchemy query) of each measured query."""
    from supervise.domain import clocks, co_copies
    from supervise.domain.calendar import load_calendar
    from supervise.domain.clock import now
    from supervise.models import Ticket, ticket_co_units

    at = now()
    conditions = {"overdue": clocks.overdue_clause(at), "due soon": clocks.due_soon_clause(load_calendar(), at)}
    co = ticket_co_units.c
    found = []
    for name, condition in conditions.items():
        joined = select(co.ticket_id).join(Ticket, Ticket.id == co.ticket_id).where(co.unit_id == unit_id, condition)
        copies = co_copies.co_handled(unit_id, condition)
        for form, query in (("joined", joined), ("copies", copies)):
            found.append((f"{name} count", form, select(func.count()).select_from(query.subquery())))
            if name == "overdue":
                found.append((f"{name} list (26)", form, query.order_by(co.ticket_id.desc()).limit(26)))
    return found


def measure(connection, sql: str, repeat: int) -> tuple[float, str, str]:
    """(median ms, the plan's scans, buffers) of ``sql``, run once to warm up and ``repeat`` times."""
    times, plan = [], []
    for _ in range(repeat + 1):
        plan = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql).scalars().all()
        times.append(float(next(line for line in plan if "Execution Time" in line).split()[-2]))
    scans = sorted({"".join(filter(None, m.groups())) for line in plan for m in [PLAN_NODE.search(line)] if m})
    buffers = next((line.strip() for line in plan if "Buffers" in line), "")
    return statistics.median(times[1:]), "; ".join(scans), buffers


def run(label: str, url: str, repeat: int, forms: list[str]) -> None:
    from supervise import create_app
    from supervise.extensions import db

    app = create_app("production", SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=staff.SECRET_KEY)
    with app.app_context():
        handler, _, _ = staff._users(db)
        connection = db.session.connection()
        print(f"\n{label}: unit {handler.unit_id}")
        print(f"{'query':<18} {'form':<7} {'median ms':>10} {'rows':>6}  plan / buffers")
        for name, form, query in queries(handler.unit_id):
            if form not in forms:
                continue
            sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
            ms, scans, buffers = measure(connection, sql, repeat)
            result = connection.exec_driver_sql(sql)
            rows = len(result.all()) if "list" in name else result.scalar()
            print(f"{name:<18} {form:<7} {ms:>10.2f} {rows:>6}  {scans} / {buffers}")
        db.session.rollback()
        db.session.remove()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", action="append", required=True, help="label=SQLAlchemy URL (repeatable)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--form", action="append", choices=["joined", "copies"], help="default both (joined alone before 0019)"
    )
    args = parser.parse_args(argv)
    for entry in args.database:
        label, _, url = entry.partition("=")
        run(label, url, args.repeat, args.form or ["joined", "copies"])


if __name__ == "__main__":
    main()
