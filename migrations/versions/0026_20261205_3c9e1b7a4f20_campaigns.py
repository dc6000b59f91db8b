"""campaigns (专项活动): campaigns with their target tags, visiting units and cadres and questionnaire;
visits, questionnaire answers and forums; tickets tagged with their campaign; enterprise size tags

Revision ID: 3c9e1b7a4f20
Revises: 3b8e61f0a2c5
Create Date: 2026-12-05 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c9e1b7a4f20'
down_revision = '3b8e61f0a2c5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'campaigns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('quarter', sa.Integer(), nullable=False),
        sa.Column('theme', sa.String(length=120), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('state', sa.Enum('draft', 'open', 'closed', name='campaignstate', native_enum=False, length=20), nullable=False),
        sa.Column('target_all', sa.Boolean(), nullable=False),
        sa.Column('target_area_ids', sa.JSON(), nullable=True),
        sa.Column('target_industries', sa.JSON(), nullable=True),
        sa.Column('target_sizes', sa.JSON(), nullable=True),
        sa.Column('questions', sa.JSON(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('opened_at', sa.DateTime(), nullable=True),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_campaigns_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns')),
    )
    op.create_index('ix_campaigns_period', 'campaigns', ['year', 'quarter'], unique=False)
    op.create_table(
        'campaign_units',
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_units_campaign_id_campaigns')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_campaign_units_unit_id_units')),
        sa.PrimaryKeyConstraint('campaign_id', 'unit_id', name=op.f('pk_campaign_units')),
    )
    op.create_table(
        'campaign_cadres',
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_cadres_campaign_id_campaigns')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_campaign_cadres_user_id_users')),
        sa.PrimaryKeyConstraint('campaign_id', 'user_id', name=op.f('pk_campaign_cadres')),
    )
    op.create_index('ix_campaign_cadres_user', 'campaign_cadres', ['user_id', 'campaign_id'], unique=False)
    op.create_table(
        'campaign_visits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('visitor_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('visited_on', sa.Date(), nullable=False),
        sa.Column('people_met', sa.String(length=200), nullable=False),
        sa.Column('no_problem', sa.Boolean(), nullable=False),
        sa.Column('problem_count', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_visits_campaign_id_campaigns')),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_campaign_visits_enterprise_id_enterprises')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_campaign_visits_unit_id_units')),
        sa.ForeignKeyConstraint(['visitor_id'], ['users.id'], name=op.f('fk_campaign_visits_visitor_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_visits')),
    )
    op.create_index('ix_campaign_visits_visitor', 'campaign_visits', ['campaign_id', 'visitor_id', 'enterprise_id'], unique=False)
    op.create_index('ix_campaign_visits_enterprise', 'campaign_visits', ['campaign_id', 'enterprise_id'], unique=False)
    op.create_table(
        'campaign_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('problem_count', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_answers_campaign_id_campaigns')),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_campaign_answers_enterprise_id_enterprises')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_campaign_answers_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_answers')),
        sa.UniqueConstraint('campaign_id', 'enterprise_id', name=op.f('uq_campaign_answers_campaign_id')),
    )
    op.create_table(
        'campaign_forums',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('place', sa.String(length=120), nullable=False),
        sa.Column('attendees', sa.Text(), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('problem_count', sa.Integer(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_forums_campaign_id_campaigns')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_campaign_forums_recorded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_forums')),
    )
    op.create_index(op.f('ix_campaign_forums_campaign_id'), 'campaign_forums', ['campaign_id'], unique=False)

    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.add_column(sa.Column('size', sa.String(length=10), nullable=True))

    # Not in batch mode: recreating tickets on SQLite would drop its full-text triggers. SQLite adds a
    # column's foreign key only inline, in the ADD COLUMN itself.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(
            'ALTER TABLE tickets ADD COLUMN campaign_id INTEGER '
            'CONSTRAINT fk_tickets_campaign_id_campaigns REFERENCES campaigns (id)'
        )
    else:
        op.add_column('tickets', sa.Column('campaign_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_tickets_campaign_id_campaigns'), 'tickets', 'campaigns', ['campaign_id'], ['id'])
    op.create_index('ix_tickets_campaign', 'tickets', ['campaign_id', 'lead_unit_id', 'category_id', 'state'], unique=False)


def downgrade():
    op.drop_index('ix_tickets_campaign', table_name='tickets')
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint(op.f('fk_tickets_campaign_id_campaigns'), 'tickets', type_='foreignkey')
    op.drop_column('tickets', 'campaign_id')
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_column('size')
    op.drop_index(op.f('ix_campaign_forums_campaign_id'), table_name='campaign_forums')
    op.drop_table('campaign_forums')
    op.drop_table('campaign_answers')
    op.drop_index('ix_campaign_visits_enterprise', table_name='campaign_visits')
    op.drop_index('ix_campaign_visits_visitor', table_name='campaign_visits')
    op.drop_table('campaign_visits')
    op.drop_index('ix_campaign_cadres_user', table_name='campaign_cadres')
    op.drop_table('campaign_cadres')
    op.drop_table('campaign_units')
    op.drop_index('ix_campaigns_period', table_name='campaigns')
    op.drop_table('campaigns')
