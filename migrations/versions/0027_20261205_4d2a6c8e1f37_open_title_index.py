"""open title index: likely duplicates with the very same title, found without the trigram index

Revision ID: 4d2a6c8e1f37
Revises: 3c9e1b7a4f20
Create Date: 2026-12-05 18:00:00

A queue page counts each row's likely duplicates up to a limit (supervise.domain.duplicates). The
trigram index reads every open ticket with a close title before it answers: thousands for a common
title at a million tickets. This btree on the title, partial on the open states (the same list as
ix_tickets_open_title_trgm and duplicates.OPEN_VALUES: the planner takes a partial index only for a
query naming the same states), gives the tickets with the very same title and stops at the limit; the
trigram index is asked only when they fall short. Both databases (SQLite has partial indexes too).
Building it reads the tickets once: about 2 s at a million, the open ones only.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4d2a6c8e1f37'
down_revision = '3c9e1b7a4f20'
branch_labels = None
depends_on = None

OPEN = sa.text(
    "state IN ('awaiting_dispatch', 'awaiting_material', 'awaiting_rating', 'dispatched', 'in_progress', "
    "'rating_review', 'replied', 'returned', 'submitted')"
)


def upgrade():
    op.create_index('ix_tickets_open_title', 'tickets', ['title'], postgresql_where=OPEN, sqlite_where=OPEN)


def downgrade():
    op.drop_index('ix_tickets_open_title', table_name='tickets', postgresql_where=OPEN, sqlite_where=OPEN)
