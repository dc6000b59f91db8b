"""duty alerts: warnings on duties that are not tickets (monthly project reports, milestones,
responsibility tasks, rectification deadlines), each once per subject, kind and deadline

Revision ID: d7a2c4e91b30
Revises: c0a7e5d1b218
Create Date: 2026-12-05 06:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7a2c4e91b30'
down_revision = 'c0a7e5d1b218'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'duty_alerts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=30), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('due_key', sa.String(length=30), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('raised_at', sa.DateTime(), nullable=False),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_duty_alerts_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_alerts')),
        sa.UniqueConstraint('subject', 'subject_id', 'kind', 'due_key', name=op.f('uq_duty_alerts_subject')),
    )
    op.create_index('ix_duty_alerts_unit_open', 'duty_alerts', ['unit_id', 'resolved_at', 'raised_at'], unique=False)


def downgrade():
    op.drop_index('ix_duty_alerts_unit_open', table_name='duty_alerts')
    op.drop_table('duty_alerts')
