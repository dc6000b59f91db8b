"""key projects: the register (projects, their service team), milestones, monthly reports due on
the 5th, and the blockers they name (linked to the tickets they became)

Revision ID: 3b8e61f0a2c5
Revises: 9bc0d5194228
Create Date: 2026-12-05 06:28:10.110287

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b8e61f0a2c5'
down_revision = '9bc0d5194228'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('investment', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('investment_public', sa.Boolean(), nullable=False),
    sa.Column('industry', sa.String(length=60), nullable=False),
    sa.Column('stage', sa.String(length=12), nullable=False),
    sa.Column('lead_unit_id', sa.Integer(), nullable=False),
    sa.Column('chief_officer_id', sa.Integer(), nullable=False),
    sa.Column('secretary_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('investment_done', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('reported_month', sa.String(length=7), nullable=True),
    sa.ForeignKeyConstraint(['chief_officer_id'], ['users.id'], name=op.f('fk_projects_chief_officer_id_users')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_projects_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['lead_unit_id'], ['units.id'], name=op.f('fk_projects_lead_unit_id_units')),
    sa.ForeignKeyConstraint(['secretary_id'], ['users.id'], name=op.f('fk_projects_secretary_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index('ix_projects_chief_officer_id_id', ['chief_officer_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index('ix_projects_lead_unit_id_id', ['lead_unit_id', 'id'], unique=False)
        batch_op.create_index('ix_projects_public_id', ['public', 'id'], unique=False)
        batch_op.create_index('ix_projects_secretary_id_id', ['secretary_id', 'id'], unique=False)
        batch_op.create_index('ix_projects_stage_id', ['stage', 'id'], unique=False)
        batch_op.create_index('ix_projects_industry_id', ['industry', 'id'], unique=False)

    op.create_table('milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_milestones_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestones'))
    )
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.create_index('ix_milestones_done_on_planned_on', ['done_on', 'planned_on'], unique=False)
        batch_op.create_index('ix_milestones_project_id_planned_on', ['project_id', 'planned_on'], unique=False)

    op.create_table('monthly_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('on_time', sa.Boolean(), nullable=True),
    sa.Column('progress', sa.Text(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('investment_done', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_monthly_reports_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_monthly_reports_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_reports')),
    sa.UniqueConstraint('project_id', 'month', name=op.f('uq_monthly_reports_project_id'))
    )
    with op.batch_alter_table('monthly_reports', schema=None) as batch_op:
        batch_op.create_index('ix_monthly_reports_submitted_at_due_on', ['submitted_at', 'due_on'], unique=False)

    op.create_table('project_team',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_team_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_project_team_user_id_users')),
    sa.PrimaryKeyConstraint('project_id', 'user_id', name=op.f('pk_project_team'))
    )
    with op.batch_alter_table('project_team', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_team_user_id'), ['user_id'], unique=False)

    op.create_table('blockers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('cleared_at', sa.DateTime(), nullable=True),
    sa.Column('cleared_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cleared_by_id'], ['users.id'], name=op.f('fk_blockers_cleared_by_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_blockers_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['monthly_reports.id'], name=op.f('fk_blockers_report_id_monthly_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_blockers_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blockers')),
    sa.UniqueConstraint('ticket_id', name=op.f('uq_blockers_ticket_id'))
    )
    with op.batch_alter_table('blockers', schema=None) as batch_op:
        batch_op.create_index('ix_blockers_project_id_id', ['project_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_blockers_report_id'), ['report_id'], unique=False)



def downgrade():
    with op.batch_alter_table('blockers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blockers_report_id'))
        batch_op.drop_index('ix_blockers_project_id_id')

    op.drop_table('blockers')
    with op.batch_alter_table('project_team', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_team_user_id'))

    op.drop_table('project_team')
    with op.batch_alter_table('monthly_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_monthly_reports_submitted_at_due_on')

    op.drop_table('monthly_reports')
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_index('ix_milestones_project_id_planned_on')
        batch_op.drop_index('ix_milestones_done_on_planned_on')

    op.drop_table('milestones')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index('ix_projects_stage_id')
        batch_op.drop_index('ix_projects_industry_id')
        batch_op.drop_index('ix_projects_secretary_id_id')
        batch_op.drop_index('ix_projects_public_id')
        batch_op.drop_index('ix_projects_lead_unit_id_id')
        batch_op.drop_index(batch_op.f('ix_projects_enterprise_id'))
        batch_op.drop_index('ix_projects_chief_officer_id_id')

    op.drop_table('projects')
