"""The load benchmark's baseline: the same stack as the platform (gunicorn sync workers, Flask,
Flask-SQLAlchemy, psycopg, the same database and engine options) serving one endpoint that runs one
indexed query — the most a page can hope for on this machine.

    DATABASE_URL=postgresql+psycopg://… .venv/bin/gunicorn -w 4 -k sync bench.bare_app:app
"""

import os
import random

from flask import Flask, jsonify
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import text

db = SQLAlchemy()
ONE_TICKET = text("SELECT id, tracking_no, public_title FROM tickets WHERE id = :id")


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}  # as config.Config
    db.init_app(app)
    with app.app_context():
        highest = db.session.scalar(text("SELECT max(id) FROM tickets")) or 1
        db.session.remove()

    @app.get("/bare")
    def bare():
        """One ticket by primary key, as a tiny JSON document."""
        row = db.session.execute(ONE_TICKET, {"id": random.randint(1, highest)}).first()
        if row is None:
            return jsonify(found=False)
        return jsonify(id=row.id, tracking_no=row.tracking_no, title=row.public_title)

    return app


app = create_app()
