"""first rating kept through reopens

The first rating a ticket was given (``tickets.first_rating``; ``rating`` holds the latest round's and
is cleared by a reopen), filled from the timeline's first "rate" event of each ticket, and the measure
cells' counts of first ratings (first-round satisfaction, 首次满意率), which the nightly refresh
recomputes.

Revision ID: 5c0e7a1f2b9d
Revises: 369ba53a7129
Create Date: 2026-12-04 19:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c0e7a1f2b9d'
down_revision = '369ba53a7129'
branch_labels = None
depends_on = None

RATING_NAMES = {5: 'VERY_SATISFIED', 4: 'SATISFIED', 3: 'BASICALLY_SATISFIED', 2: 'DISSATISFIED', 1: 'VERY_DISSATISFIED'}


def _backfill():
    events = sa.table(
        'ticket_events', sa.column('id', sa.Integer), sa.column('ticket_id', sa.Integer),
        sa.column('action', sa.String), sa.column('data', sa.JSON),
    )
    tickets = sa.table('tickets', sa.column('id', sa.Integer), sa.column('first_rating', sa.String))
    bind = op.get_bind()
    first = {}
    rows = bind.execute(
        sa.select(events.c.ticket_id, events.c.data).where(events.c.action == 'rate').order_by(events.c.id)
    )
    for ticket_id, data in rows:
        value = (data or {}).get('rating')
        if ticket_id not in first and value in RATING_NAMES:
            first[ticket_id] = RATING_NAMES[value]
    for ticket_id, name in first.items():
        bind.execute(tickets.update().where(tickets.c.id == ticket_id).values(first_rating=name))


def upgrade():
    # Not in batch mode: recreating tickets on SQLite would drop its full-text triggers.
    op.add_column('tickets', sa.Column('first_rating', sa.Enum('VERY_SATISFIED', 'SATISFIED', 'BASICALLY_SATISFIED', 'DISSATISFIED', 'VERY_DISSATISFIED', name='rating', native_enum=False, length=30), nullable=True))
    with op.batch_alter_table('stats_cells', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_rated', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('first_satisfied', sa.Integer(), nullable=False, server_default='0'))
    _backfill()


def downgrade():
    with op.batch_alter_table('stats_cells', schema=None) as batch_op:
        batch_op.drop_column('first_satisfied')
        batch_op.drop_column('first_rated')
    op.drop_column('tickets', 'first_rating')
