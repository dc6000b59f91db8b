"""calendar changes and reply templates

The administrators' changes to the working-day calendar (each moves the stored due dates of open
tickets through a job that records how far it got), the supervisors' reply templates per category,
and the holiday names of the stored calendar in Chinese (the package's names were stored in English).

Revision ID: 5c1e2a7d9b40
Revises: 5c0e7a1f2b9d
Create Date: 2026-12-04 19:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1e2a7d9b40'
down_revision = '5c0e7a1f2b9d'
branch_labels = None
depends_on = None

# chinese_calendar's English names and the Chinese ones (its Holiday.chinese).
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def _rename(names):
    days = sa.table('calendar_days', sa.column('name', sa.String))
    for old, new in names.items():
        op.execute(days.update().where(days.c.name == old).values(name=new))


def upgrade():
    op.create_table('calendar_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('days', sa.JSON(), nullable=False),
    sa.Column('made_at', sa.DateTime(), nullable=False),
    sa.Column('made_by_id', sa.Integer(), nullable=True),
    sa.Column('done_through', sa.Integer(), nullable=False),
    sa.Column('moved', sa.Integer(), nullable=False),
    sa.Column('applied_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['made_by_id'], ['users.id'], name=op.f('fk_calendar_changes_made_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_changes'))
    )
    op.create_table('reply_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_reply_templates_category_id_categories')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_reply_templates_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reply_templates'))
    )
    with op.batch_alter_table('reply_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reply_templates_category_id'), ['category_id'], unique=False)
    _rename(HOLIDAY_NAMES)


def downgrade():
    _rename({new: old for old, new in HOLIDAY_NAMES.items()})
    with op.batch_alter_table('reply_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reply_templates_category_id'))
    op.drop_table('reply_templates')
    op.drop_table('calendar_changes')
