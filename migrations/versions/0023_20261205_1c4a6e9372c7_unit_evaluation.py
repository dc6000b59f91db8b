"""unit evaluation (评议): evaluations, their criteria, the units' reports, evaluators invited by a
hashed personal link, one vote per evaluator and unit with a score per criterion, the units' answers

Revision ID: 1c4a6e9372c7
Revises: 900f29035693
Create Date: 2026-12-05 06:29:21.947383

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1c4a6e9372c7'
down_revision = '900f29035693'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evaluations_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluations'))
    )
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.create_index('ix_evaluations_state_year', ['state', 'year'], unique=False)

    op.create_table('evaluation_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_evaluation_criteria_evaluation_id_evaluations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_criteria'))
    )
    with op.batch_alter_table('evaluation_criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_criteria_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('evaluators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=True),
    sa.Column('address', sa.String(length=120), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=False),
    sa.Column('invited_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_evaluators_evaluation_id_evaluations')),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_evaluators_invited_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluators')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_evaluators_token_hash'))
    )
    with op.batch_alter_table('evaluators', schema=None) as batch_op:
        batch_op.create_index('ix_evaluators_evaluation_kind', ['evaluation_id', 'kind'], unique=False)

    op.create_table('unit_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('public_text', sa.Text(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('stored_name', sa.String(length=80), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_unit_reports_evaluation_id_evaluations')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_unit_reports_submitted_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_reports_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_reports')),
    sa.UniqueConstraint('evaluation_id', 'unit_id', name=op.f('uq_unit_reports_evaluation_id'))
    )
    with op.batch_alter_table('unit_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_reports_unit_id'), ['unit_id'], unique=False)

    op.create_table('evaluation_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluator_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('public_comment', sa.Text(), nullable=True),
    sa.Column('cast_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['evaluator_id'], ['evaluators.id'], name=op.f('fk_evaluation_votes_evaluator_id_evaluators')),
    sa.ForeignKeyConstraint(['report_id'], ['unit_reports.id'], name=op.f('fk_evaluation_votes_report_id_unit_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_votes')),
    sa.UniqueConstraint('evaluator_id', 'report_id', name=op.f('uq_evaluation_votes_evaluator_id'))
    )
    with op.batch_alter_table('evaluation_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_votes_report_id'), ['report_id'], unique=False)

    op.create_table('evaluation_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('public_text', sa.Text(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_evaluation_answers_answered_by_id_users')),
    sa.ForeignKeyConstraint(['vote_id'], ['evaluation_votes.id'], name=op.f('fk_evaluation_answers_vote_id_evaluation_votes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_answers')),
    sa.UniqueConstraint('vote_id', name=op.f('uq_evaluation_answers_vote_id'))
    )
    op.create_table('evaluation_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['evaluation_criteria.id'], name=op.f('fk_evaluation_scores_criterion_id_evaluation_criteria')),
    sa.ForeignKeyConstraint(['vote_id'], ['evaluation_votes.id'], name=op.f('fk_evaluation_scores_vote_id_evaluation_votes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_scores')),
    sa.UniqueConstraint('vote_id', 'criterion_id', name=op.f('uq_evaluation_scores_vote_id'))
    )
    with op.batch_alter_table('evaluation_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_scores_criterion_id'), ['criterion_id'], unique=False)



def downgrade():
    with op.batch_alter_table('evaluation_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_scores_criterion_id'))

    op.drop_table('evaluation_scores')
    op.drop_table('evaluation_answers')
    with op.batch_alter_table('evaluation_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_votes_report_id'))

    op.drop_table('evaluation_votes')
    with op.batch_alter_table('unit_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_reports_unit_id'))

    op.drop_table('unit_reports')
    with op.batch_alter_table('evaluators', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluators_evaluation_kind')

    op.drop_table('evaluators')
    with op.batch_alter_table('evaluation_criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_criteria_evaluation_id'))

    op.drop_table('evaluation_criteria')
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluations_state_year')

    op.drop_table('evaluations')
