"""public e-mail alerts

Subscriptions of anyone's e-mail address to a unit, a category or a published ticket (one per address
and target, confirmed by a signed link, deleted on unsubscribe), and the alerted public events waiting
for their fan-out to the followers.

Revision ID: 5e1a7c2b9d40
Revises: 9f51f5acebce
Create Date: 2026-12-04 19:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1a7c2b9d40'
down_revision = '9f51f5acebce'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alert_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=120), nullable=False),
    sa.Column('target_kind', sa.String(length=10), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=True),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_subscriptions')),
    sa.UniqueConstraint('email', 'target_kind', 'target_id', name='uq_alert_subscription')
    )
    with op.batch_alter_table('alert_subscriptions', schema=None) as batch_op:
        batch_op.create_index('ix_alert_subscriptions_target', ['target_kind', 'target_id', 'email'], unique=False)
        batch_op.create_index('ix_alert_subscriptions_unconfirmed', ['confirmed_at', 'requested_at'], unique=False)

    op.create_table('alert_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('enqueued_at', sa.DateTime(), nullable=True),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('sent', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['ticket_events.id'], name=op.f('fk_alert_events_event_id_ticket_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_events')),
    sa.UniqueConstraint('event_id', name=op.f('uq_alert_events_event_id'))
    )
    with op.batch_alter_table('alert_events', schema=None) as batch_op:
        batch_op.create_index('ix_alert_events_pending', ['done_at', 'enqueued_at'], unique=False)


def downgrade():
    with op.batch_alter_table('alert_events', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_events_pending')

    op.drop_table('alert_events')
    with op.batch_alter_table('alert_subscriptions', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_subscriptions_unconfirmed')
        batch_op.drop_index('ix_alert_subscriptions_target')

    op.drop_table('alert_subscriptions')
