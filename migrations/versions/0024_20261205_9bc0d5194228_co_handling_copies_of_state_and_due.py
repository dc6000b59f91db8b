"""co-handling rows carry copies of their ticket's state and handling due date, indexed by (unit,
state, due, ticket): the co-handled half of the workbench's timed counts and lists is read from
ticket_co_units alone (issue 10); ix_tickets_unit_state_due gains the ticket id

Revision ID: 9bc0d5194228
Revises: 1c4a6e9372c7
Create Date: 2026-12-05 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9bc0d5194228'
down_revision = '1c4a6e9372c7'
branch_labels = None
depends_on = None

STATES = (
    'submitted', 'awaiting_dispatch', 'dispatched', 'returned', 'in_progress', 'awaiting_material', 'replied',
    'awaiting_rating', 'rating_review', 'closed', 'declined', 'merged', 'forwarded',
)

# The copies, from the tickets (as supervise.domain.co_copies.refresh writes them).
BACKFILL = (
    "UPDATE ticket_co_units SET "
    "state = (SELECT t.state FROM tickets t WHERE t.id = ticket_co_units.ticket_id), "
    "handle_due = (SELECT t.handle_due FROM tickets t WHERE t.id = ticket_co_units.ticket_id)"
)


def upgrade():
    with op.batch_alter_table('ticket_co_units', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('state', sa.Enum(*STATES, name='state', native_enum=False, length=20), nullable=True)
        )
        batch_op.add_column(sa.Column('handle_due', sa.DateTime(), nullable=True))
    op.execute(BACKFILL)
    with op.batch_alter_table('ticket_co_units', schema=None) as batch_op:
        batch_op.create_index(
            'ix_ticket_co_units_unit_state_due', ['unit_id', 'state', 'handle_due', 'ticket_id'], unique=False
        )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_unit_state_due')
        batch_op.create_index('ix_tickets_unit_state_due', ['lead_unit_id', 'state', 'handle_due', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_unit_state_due')
        batch_op.create_index('ix_tickets_unit_state_due', ['lead_unit_id', 'state', 'handle_due'], unique=False)
    with op.batch_alter_table('ticket_co_units', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_co_units_unit_state_due')
        batch_op.drop_column('handle_due')
        batch_op.drop_column('state')
