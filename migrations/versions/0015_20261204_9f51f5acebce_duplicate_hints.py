"""duplicate hints: indexes for finding a ticket's likely duplicates

Revision ID: 9f51f5acebce
Revises: 5c1e2a7d9b40
Create Date: 2026-12-04 19:10:00

supervise.domain.duplicates looks, for each ticket of a queue page, for open tickets of the same
company and category filed within 30 days (a btree on enterprise, category, creation time, both
databases) and for open tickets with a close title (PostgreSQL: a pg_trgm GIN index on the title,
partial on the open states so closed tickets, most of a million, never enter it; SQLite compares in
Python and needs nothing). The state list must stay the one in duplicates.OPEN_VALUES: the planner
uses a partial index only when the query names the same states. Creating the extension needs a
role allowed to (pg_trgm is a trusted extension: the database owner may).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9f51f5acebce'
down_revision = '5c1e2a7d9b40'
branch_labels = None
depends_on = None

OPEN_VALUES = (
    'awaiting_dispatch', 'awaiting_material', 'awaiting_rating', 'dispatched', 'in_progress',
    'rating_review', 'replied', 'returned', 'submitted',
)


def upgrade():
    op.create_index('ix_tickets_company_category', 'tickets', ['enterprise_id', 'category_id', 'created_at'])
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    states = ", ".join(f"'{s}'" for s in OPEN_VALUES)
    op.execute("CREATE INDEX ix_tickets_open_title_trgm ON tickets USING gin (title gin_trgm_ops) "
               f"WHERE state IN ({states})")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_tickets_open_title_trgm")
    op.drop_index('ix_tickets_company_category', table_name='tickets')
