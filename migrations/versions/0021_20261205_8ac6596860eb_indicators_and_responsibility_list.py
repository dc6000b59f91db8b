"""indicators and the responsibility list (指标长): indicators with lead unit and chief, a list per
year of major and minor tasks with co-operating units, monthly task reports and their evidence files

Revision ID: 8ac6596860eb
Revises: 3b7e9d2a6c14
Create Date: 2026-12-05 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8ac6596860eb'
down_revision = '3b7e9d2a6c14'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'indicators',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('lead_unit_id', sa.Integer(), nullable=True),
        sa.Column('chief_id', sa.Integer(), nullable=True),
        sa.Column('last_score', sa.Float(), nullable=True),
        sa.Column('target_score', sa.Float(), nullable=True),
        sa.Column('sort', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['chief_id'], ['users.id'], name=op.f('fk_indicators_chief_id_users')),
        sa.ForeignKeyConstraint(['lead_unit_id'], ['units.id'], name=op.f('fk_indicators_lead_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators')),
        sa.UniqueConstraint('code', name=op.f('uq_indicators_code')),
        sa.UniqueConstraint('name', name=op.f('uq_indicators_name')),
    )
    op.create_index(op.f('ix_indicators_chief_id'), 'indicators', ['chief_id'], unique=False)
    op.create_table(
        'responsibility_lists',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_responsibility_lists')),
        sa.UniqueConstraint('year', name=op.f('uq_responsibility_lists_year')),
    )
    op.create_table(
        'tasks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('list_id', sa.Integer(), nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('level', sa.Enum('major', 'minor', name='tasklevel', native_enum=False, length=10), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('responsible_unit_id', sa.Integer(), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=False),
        sa.Column('expected_result', sa.Text(), nullable=False),
        sa.Column('state', sa.Enum('open', 'done', name='taskstate', native_enum=False, length=10), nullable=False),
        sa.Column('progress', sa.Integer(), nullable=False),
        sa.Column('last_report_at', sa.DateTime(), nullable=True),
        sa.Column('done_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_tasks_indicator_id_indicators')),
        sa.ForeignKeyConstraint(['list_id'], ['responsibility_lists.id'], name=op.f('fk_tasks_list_id_responsibility_lists')),
        sa.ForeignKeyConstraint(['parent_id'], ['tasks.id'], name=op.f('fk_tasks_parent_id_tasks')),
        sa.ForeignKeyConstraint(['responsible_unit_id'], ['units.id'], name=op.f('fk_tasks_responsible_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks')),
    )
    op.create_index('ix_tasks_list_indicator', 'tasks', ['list_id', 'indicator_id'], unique=False)
    op.create_index(op.f('ix_tasks_parent_id'), 'tasks', ['parent_id'], unique=False)
    op.create_index('ix_tasks_responsible_unit', 'tasks', ['responsible_unit_id', 'list_id'], unique=False)
    op.create_table(
        'task_co_units',
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_co_units_task_id_tasks'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_task_co_units_unit_id_units')),
        sa.PrimaryKeyConstraint('task_id', 'unit_id', name=op.f('pk_task_co_units')),
    )
    op.create_index(op.f('ix_task_co_units_unit_id'), 'task_co_units', ['unit_id'], unique=False)
    op.create_table(
        'task_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('percent', sa.Integer(), nullable=False),
        sa.Column('submitted_by_id', sa.Integer(), nullable=True),
        sa.Column('submitted_at', sa.DateTime(), nullable=False),
        sa.Column('late', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_task_reports_submitted_by_id_users')),
        sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_reports_task_id_tasks')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_task_reports')),
    )
    op.create_index('ix_task_reports_task_month', 'task_reports', ['task_id', 'month'], unique=False)
    op.create_table(
        'task_report_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('stored_name', sa.String(length=80), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['report_id'], ['task_reports.id'], name=op.f('fk_task_report_files_report_id_task_reports')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_task_report_files')),
        sa.UniqueConstraint('stored_name', name=op.f('uq_task_report_files_stored_name')),
    )
    op.create_index(op.f('ix_task_report_files_report_id'), 'task_report_files', ['report_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_task_report_files_report_id'), table_name='task_report_files')
    op.drop_table('task_report_files')
    op.drop_index('ix_task_reports_task_month', table_name='task_reports')
    op.drop_table('task_reports')
    op.drop_index(op.f('ix_task_co_units_unit_id'), table_name='task_co_units')
    op.drop_table('task_co_units')
    op.drop_index('ix_tasks_responsible_unit', table_name='tasks')
    op.drop_index(op.f('ix_tasks_parent_id'), table_name='tasks')
    op.drop_index('ix_tasks_list_indicator', table_name='tasks')
    op.drop_table('tasks')
    op.drop_table('responsibility_lists')
    op.drop_index(op.f('ix_indicators_chief_id'), table_name='indicators')
    op.drop_table('indicators')
