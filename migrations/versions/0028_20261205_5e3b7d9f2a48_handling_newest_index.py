"""handling newest index: the console's overdue queue from an index of the tickets whose handling runs

Revision ID: 5e3b7d9f2a48
Revises: 4d2a6c8e1f37
Create Date: 2026-12-05 18:10:00

The overdue queue lists late tickets newest first. The planner walked the primary key backwards and
read each ticket's row to test its state and due date: the newest tickets are rarely late, so at a
million tickets it read ~69,000 rows (70 ms) to fill a page. This btree on the id, partial on the
states in which the handling clock runs (supervise.domain.clocks.HANDLING: the planner takes a
partial index only for a query whose states it implies) and carrying the due date (PostgreSQL's
INCLUDE; SQLite, for development, keeps the id alone), lets the same walk read the index alone
(2 ms). Building it reads the tickets once: under a second at a million.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e3b7d9f2a48'
down_revision = '4d2a6c8e1f37'
branch_labels = None
depends_on = None

HANDLING = sa.text("state IN ('dispatched', 'in_progress', 'returned')")


def upgrade():
    op.create_index(
        'ix_tickets_handling_newest', 'tickets', ['id'],
        postgresql_include=['handle_due'], postgresql_where=HANDLING, sqlite_where=HANDLING,
    )


def downgrade():
    op.drop_index('ix_tickets_handling_newest', table_name='tickets', postgresql_where=HANDLING, sqlite_where=HANDLING)
