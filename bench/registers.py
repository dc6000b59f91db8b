"""Fill a bench database's registers through the demo's own rules — twenty key projects with a year of
monthly reports and blockers, four campaigns with visits and problems — and settle the last quarter, so
that ``bench.load`` drives the register pages (issue 11) on a table of 10k or a million tickets.

    python -m bench.registers postgresql+psycopg://postgres@127.0.0.1/supervise_bench_1m

Run once per database, after ``flask db upgrade``; a second run adds nothing (it stops when projects exist).
"""

import argparse
import random


def populate(url: str) -> str:
    from sqlalchemy import func, select

    from supervise import create_app
    from supervise.domain import notify
    from supervise.domain.clock import now
    from supervise.extensions import db
    from supervise.models import Enterprise, LiaisonPair, Project, Role, User
    from supervise.seed.accounts import SEED
    from supervise.seed.campaigns import load_campaigns
    from supervise.seed.demo import Demo
    from supervise.seed.projects import load_projects
    from supervise.seed.settlement import load_settlements

    app = create_app("production", SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="bench-secret-key-of-at-least-32-bytes")
    with app.app_context():
        if db.session.scalar(select(func.count()).select_from(Project)):
            return "registers already there"
        with notify.suppressed():
            demo = Demo(random.Random(SEED))
            demo.enterprises = list(db.session.scalars(select(Enterprise).order_by(Enterprise.id).limit(200)))
            for enterprise in demo.enterprises[::3]:  # the demo's second campaign reaches manufacturers
                enterprise.industry = "制造业"
            ids = [e.id for e in demo.enterprises]
            for user in db.session.scalars(
                select(User).where(User.role == Role.ENTERPRISE, User.enterprise_id.in_(ids))
            ):
                demo.filers.setdefault(user.enterprise_id, []).append(user)
            for pair in db.session.scalars(select(LiaisonPair).where(LiaisonPair.enterprise_id.in_(ids))):
                demo.cadre_of.setdefault(pair.enterprise_id, db.session.get(User, pair.cadre_id))
            load_projects(demo)
            load_campaigns(demo)
        db.session.commit()
        load_settlements(now(), random.Random(SEED))
        db.session.commit()
        projects = db.session.scalar(select(func.count()).select_from(Project))
    return f"{projects} projects, campaigns and settled quarters added"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("databases", nargs="+")
    for url in parser.parse_args().databases:
        print(url.rsplit("/", 1)[-1], populate(url))


if __name__ == "__main__":
    main()
