"""the rectification ledger (整改台账) and closed-loop supervision rounds (闭环督导): items with their
history and evidence, rounds with units inspected, checklist scores and verifications of earlier items

Revision ID: 900f29035693
Revises: 8ac6596860eb
Create Date: 2026-12-05 06:26:32.852543

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '900f29035693'
down_revision = '8ac6596860eb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('supervision_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('previous_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_supervision_rounds_created_by_id_users')),
    sa.ForeignKeyConstraint(['previous_id'], ['supervision_rounds.id'], name=op.f('fk_supervision_rounds_previous_id_supervision_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_rounds'))
    )
    with op.batch_alter_table('supervision_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_rounds_previous_id'), ['previous_id'], unique=False)

    op.create_table('ledger_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('provincial', 'self_inspection', 'round', 'complaint', name='ledgersource', native_enum=False, length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('state', sa.Enum('rectifying', 'awaiting_acceptance', 'closed', name='ledgerstate', native_enum=False, length=20), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closure_note', sa.Text(), nullable=True),
    sa.Column('public_summary', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_ledger_items_closed_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_ledger_items_created_by_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['supervision_rounds.id'], name=op.f('fk_ledger_items_round_id_supervision_rounds')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_ledger_items_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_items'))
    )
    with op.batch_alter_table('ledger_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_items_round_id'), ['round_id'], unique=False)
        batch_op.create_index('ix_ledger_items_source_state', ['source', 'state', 'id'], unique=False)
        batch_op.create_index('ix_ledger_items_state_deadline', ['state', 'deadline'], unique=False)
        batch_op.create_index('ix_ledger_items_unit_state', ['unit_id', 'state', 'id'], unique=False)

    op.create_table('round_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=30), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('scored_by_id', sa.Integer(), nullable=True),
    sa.Column('scored_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['supervision_rounds.id'], name=op.f('fk_round_scores_round_id_supervision_rounds')),
    sa.ForeignKeyConstraint(['scored_by_id'], ['users.id'], name=op.f('fk_round_scores_scored_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_round_scores_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_scores')),
    sa.UniqueConstraint('round_id', 'unit_id', 'item', name=op.f('uq_round_scores_round_id'))
    )
    op.create_table('round_units',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['supervision_rounds.id'], name=op.f('fk_round_units_round_id_supervision_rounds')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_round_units_unit_id_units')),
    sa.PrimaryKeyConstraint('round_id', 'unit_id', name=op.f('pk_round_units'))
    )
    op.create_table('ledger_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.Enum('rectifying', 'awaiting_acceptance', 'closed', name='ledgerstate', native_enum=False, length=20), nullable=True),
    sa.Column('to_state', sa.Enum('rectifying', 'awaiting_acceptance', 'closed', name='ledgerstate', native_enum=False, length=20), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_ledger_events_by_id_users')),
    sa.ForeignKeyConstraint(['item_id'], ['ledger_items.id'], name=op.f('fk_ledger_events_item_id_ledger_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_events'))
    )
    with op.batch_alter_table('ledger_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_events_item_id'), ['item_id'], unique=False)

    op.create_table('ledger_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['ledger_items.id'], name=op.f('fk_ledger_evidence_item_id_ledger_items')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_ledger_evidence_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_evidence')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_ledger_evidence_stored_name'))
    )
    with op.batch_alter_table('ledger_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_evidence_item_id'), ['item_id'], unique=False)

    op.create_table('round_verifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('confirmed', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_round_verifications_by_id_users')),
    sa.ForeignKeyConstraint(['item_id'], ['ledger_items.id'], name=op.f('fk_round_verifications_item_id_ledger_items')),
    sa.ForeignKeyConstraint(['round_id'], ['supervision_rounds.id'], name=op.f('fk_round_verifications_round_id_supervision_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_verifications')),
    sa.UniqueConstraint('round_id', 'item_id', name=op.f('uq_round_verifications_round_id'))
    )
    with op.batch_alter_table('round_verifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_verifications_item_id'), ['item_id'], unique=False)

    op.create_table('ledger_item_tickets',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['ledger_items.id'], name=op.f('fk_ledger_item_tickets_item_id_ledger_items')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ledger_item_tickets_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('item_id', 'ticket_id', name=op.f('pk_ledger_item_tickets'))
    )


def downgrade():
    op.drop_table('ledger_item_tickets')
    with op.batch_alter_table('round_verifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_verifications_item_id'))

    op.drop_table('round_verifications')
    with op.batch_alter_table('ledger_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_evidence_item_id'))

    op.drop_table('ledger_evidence')
    with op.batch_alter_table('ledger_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_events_item_id'))

    op.drop_table('ledger_events')
    op.drop_table('round_units')
    op.drop_table('round_scores')
    with op.batch_alter_table('ledger_items', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_items_unit_state')
        batch_op.drop_index('ix_ledger_items_state_deadline')
        batch_op.drop_index('ix_ledger_items_source_state')
        batch_op.drop_index(batch_op.f('ix_ledger_items_round_id'))

    op.drop_table('ledger_items')
    with op.batch_alter_table('supervision_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_rounds_previous_id'))

    op.drop_table('supervision_rounds')
