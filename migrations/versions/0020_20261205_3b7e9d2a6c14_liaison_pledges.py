"""liaison pledges: cadres' public cards and pledges, their served projects, visit logs and the
enterprises' yearly service ratings

Revision ID: 3b7e9d2a6c14
Revises: 717810405bda
Create Date: 2026-12-05 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b7e9d2a6c14'
down_revision = '717810405bda'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'cadre_cards',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cadre_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=60), nullable=False),
        sa.Column('pledge', sa.Text(), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('published', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['cadre_id'], ['users.id'], name=op.f('fk_cadre_cards_cadre_id_users')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_cadre_cards_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cadre_cards')),
        sa.UniqueConstraint('cadre_id', name=op.f('uq_cadre_cards_cadre_id')),
    )
    op.create_index('ix_cadre_cards_published_unit', 'cadre_cards', ['published', 'unit_id', 'id'], unique=False)
    op.create_table(
        'cadre_projects',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cadre_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('stage', sa.String(length=60), nullable=False),
        sa.Column('sort', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['cadre_id'], ['users.id'], name=op.f('fk_cadre_projects_cadre_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cadre_projects')),
    )
    op.create_index(op.f('ix_cadre_projects_cadre_id'), 'cadre_projects', ['cadre_id'], unique=False)
    op.create_table(
        'visit_logs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cadre_id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('visited_on', sa.Date(), nullable=False),
        sa.Column('way', sa.Enum('on_site', 'phone', 'online', name='visitway', native_enum=False, length=10), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['cadre_id'], ['users.id'], name=op.f('fk_visit_logs_cadre_id_users')),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_visit_logs_enterprise_id_enterprises')),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_visit_logs_ticket_id_tickets')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_logs')),
    )
    op.create_index('ix_visit_logs_cadre_date', 'visit_logs', ['cadre_id', 'visited_on'], unique=False)
    op.create_index(op.f('ix_visit_logs_enterprise_id'), 'visit_logs', ['enterprise_id'], unique=False)
    op.create_table(
        'service_ratings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cadre_id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('rated_by_id', sa.Integer(), nullable=True),
        sa.Column('rated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['cadre_id'], ['users.id'], name=op.f('fk_service_ratings_cadre_id_users')),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_service_ratings_enterprise_id_enterprises')),
        sa.ForeignKeyConstraint(['rated_by_id'], ['users.id'], name=op.f('fk_service_ratings_rated_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_service_ratings')),
        sa.UniqueConstraint('cadre_id', 'enterprise_id', 'year', name=op.f('uq_service_ratings_cadre_id')),
    )
    op.create_index(op.f('ix_service_ratings_enterprise_id'), 'service_ratings', ['enterprise_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_service_ratings_enterprise_id'), table_name='service_ratings')
    op.drop_table('service_ratings')
    op.drop_index(op.f('ix_visit_logs_enterprise_id'), table_name='visit_logs')
    op.drop_index('ix_visit_logs_cadre_date', table_name='visit_logs')
    op.drop_table('visit_logs')
    op.drop_index(op.f('ix_cadre_projects_cadre_id'), table_name='cadre_projects')
    op.drop_table('cadre_projects')
    op.drop_index('ix_cadre_cards_published_unit', table_name='cadre_cards')
    op.drop_table('cadre_cards')
