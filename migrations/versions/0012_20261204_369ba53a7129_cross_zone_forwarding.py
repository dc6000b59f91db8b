"""cross-zone forwarding

Peers (other zones' platforms reached over Open311), one forwarding row per ticket handed to a peer
(its delivery state and the remote request it became), the peer a ticket came from, and the measure
cells' count of forwarded tickets. The new ticket state "forwarded" needs no change: states are
stored as strings without a CHECK constraint.

Revision ID: 369ba53a7129
Revises: d4b63d70cead
Create Date: 2026-12-04 17:33:13.755938

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '369ba53a7129'
down_revision = 'd4b63d70cead'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('peers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('zone', sa.String(length=100), nullable=False),
    sa.Column('base_url', sa.String(length=300), nullable=False),
    sa.Column('api_key', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('service_codes', sa.JSON(), nullable=True),
    sa.Column('inbound_key_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['inbound_key_id'], ['api_keys.id'], name=op.f('fk_peers_inbound_key_id_api_keys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_peers')),
    sa.UniqueConstraint('inbound_key_id', name=op.f('uq_peers_inbound_key_id')),
    sa.UniqueConstraint('name', name=op.f('uq_peers_name'))
    )
    op.create_table('forwardings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('peer_id', sa.Integer(), nullable=False),
    sa.Column('service_code', sa.String(length=50), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('enqueued_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('remote_id', sa.String(length=40), nullable=True),
    sa.Column('remote_status', sa.String(length=40), nullable=True),
    sa.Column('remote_notes', sa.Text(), nullable=True),
    sa.Column('fetched_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['peer_id'], ['peers.id'], name=op.f('fk_forwardings_peer_id_peers')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_forwardings_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forwardings')),
    sa.UniqueConstraint('ticket_id', name=op.f('uq_forwardings_ticket_id'))
    )
    with op.batch_alter_table('forwardings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forwardings_peer_id'), ['peer_id'], unique=False)
        batch_op.create_index('ix_forwardings_pending', ['status', 'next_attempt_at'], unique=False)

    with op.batch_alter_table('stats_cells', schema=None) as batch_op:
        batch_op.add_column(sa.Column('forwarded', sa.Integer(), nullable=False, server_default='0'))

    # Not in batch mode: recreating tickets on SQLite would drop its full-text triggers. SQLite adds a
    # column's foreign key only inline, in the ADD COLUMN itself.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(
            'ALTER TABLE tickets ADD COLUMN origin_peer_id INTEGER '
            'CONSTRAINT fk_tickets_origin_peer_id_peers REFERENCES peers (id)'
        )
    else:
        op.add_column('tickets', sa.Column('origin_peer_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_tickets_origin_peer_id_peers'), 'tickets', 'peers', ['origin_peer_id'], ['id'])



def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint(op.f('fk_tickets_origin_peer_id_peers'), 'tickets', type_='foreignkey')
    op.drop_column('tickets', 'origin_peer_id')

    with op.batch_alter_table('forwardings', schema=None) as batch_op:
        batch_op.drop_index('ix_forwardings_pending')
        batch_op.drop_index(batch_op.f('ix_forwardings_peer_id'))

    with op.batch_alter_table('stats_cells', schema=None) as batch_op:
        batch_op.drop_column('forwarded')

    op.drop_table('forwardings')
    op.drop_table('peers')
