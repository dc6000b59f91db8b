"""kept ticket counts and staff list indexes: per (unit or everywhere, state or "to_publish") counts
kept with every ticket change, and the indexes the workbench, console, enterprise portal and
notification centre list through (issue 10)

Revision ID: c0a7e5d1b218
Revises: 5e1a7c2b9d40
Create Date: 2026-12-04 19:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c0a7e5d1b218'
down_revision = '5e1a7c2b9d40'
branch_labels = None
depends_on = None

AWAITING_PUBLICATION = (
    "publish_consent AND published_at IS NULL AND state NOT IN ('submitted', 'declined', 'merged', 'forwarded')"
)
RESULT_AWAITING_PUBLICATION = "state = 'closed' AND published_at IS NOT NULL AND result_published_at IS NULL"

# Every ticket in scope 0 (everywhere), in its lead unit's and in each co-handling unit's, once each.
SCOPES = (
    "SELECT lead_unit_id AS scope, id AS ticket_id FROM tickets WHERE lead_unit_id IS NOT NULL "
    "UNION SELECT unit_id, ticket_id FROM ticket_co_units "
    "UNION SELECT 0, id FROM tickets"
)


def upgrade():
    op.create_table(
        'ticket_counts',
        sa.Column('scope_id', sa.Integer(), nullable=False),
        sa.Column('bucket', sa.String(length=20), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('scope_id', 'bucket'),
    )
    op.execute(
        f"INSERT INTO ticket_counts (scope_id, bucket, n) SELECT s.scope, t.state, count(*) "
        f"FROM ({SCOPES}) s JOIN tickets t ON t.id = s.ticket_id GROUP BY s.scope, t.state"
    )
    op.execute(
        f"INSERT INTO ticket_counts (scope_id, bucket, n) SELECT s.scope, 'to_publish', count(*) "
        f"FROM ({SCOPES}) s JOIN tickets t ON t.id = s.ticket_id "
        f"WHERE ({AWAITING_PUBLICATION}) OR ({RESULT_AWAITING_PUBLICATION}) GROUP BY s.scope"
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_unit_state')
        batch_op.create_index('ix_tickets_unit_id', ['lead_unit_id', 'id'], unique=False)
        batch_op.create_index('ix_tickets_unit_state_id', ['lead_unit_id', 'state', 'id'], unique=False)
        batch_op.create_index('ix_tickets_unit_state_due', ['lead_unit_id', 'state', 'handle_due'], unique=False)
        batch_op.create_index('ix_tickets_state_id', ['state', 'id'], unique=False)
        batch_op.create_index('ix_tickets_state_due', ['state', 'handle_due'], unique=False)
        batch_op.create_index('ix_tickets_enterprise_newest', ['enterprise_id', 'id'], unique=False)
        batch_op.create_index(
            'ix_tickets_awaiting_publication',
            ['id'],
            unique=False,
            postgresql_where=sa.text(AWAITING_PUBLICATION),
            sqlite_where=sa.text(AWAITING_PUBLICATION),
        )
        batch_op.create_index(
            'ix_tickets_result_awaiting_publication',
            ['id'],
            unique=False,
            postgresql_where=sa.text(RESULT_AWAITING_PUBLICATION),
            sqlite_where=sa.text(RESULT_AWAITING_PUBLICATION),
        )
    with op.batch_alter_table('ticket_co_units', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_co_units_unit', ['unit_id', 'ticket_id'], unique=False)
    with op.batch_alter_table('supervision_orders', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_orders_open', ['answered_at', 'ticket_id'], unique=False)
    with op.batch_alter_table('extension_requests', schema=None) as batch_op:
        batch_op.create_index('ix_extension_requests_status', ['status', 'ticket_id'], unique=False)
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user_id', ['user_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_id')
    with op.batch_alter_table('extension_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_extension_requests_status')
    with op.batch_alter_table('supervision_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_supervision_orders_open')
    with op.batch_alter_table('ticket_co_units', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_co_units_unit')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_result_awaiting_publication')
        batch_op.drop_index('ix_tickets_awaiting_publication')
        batch_op.drop_index('ix_tickets_enterprise_newest')
        batch_op.drop_index('ix_tickets_state_due')
        batch_op.drop_index('ix_tickets_state_id')
        batch_op.drop_index('ix_tickets_unit_state_due')
        batch_op.drop_index('ix_tickets_unit_state_id')
        batch_op.drop_index('ix_tickets_unit_id')
        batch_op.create_index('ix_tickets_unit_state', ['lead_unit_id', 'state'], unique=False)
    op.drop_table('ticket_counts')
