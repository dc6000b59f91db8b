"""public generation

One number raised with every change to what the public sees, part of the key of every cached page.

Revision ID: f2931a522a68
Revises: 5d0e3c1a9b47
Create Date: 2026-12-04 11:34:24.858819

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2931a522a68'
down_revision = '5d0e3c1a9b47'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'public_generation',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('value', sa.BigInteger(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_public_generation')),
    )
    # The one row, present from the start: raising it is then an UPDATE, which PostgreSQL serialises
    # between concurrent publications by its row lock.
    op.bulk_insert(table, [{'id': 1, 'value': 0}])


def downgrade():
    op.drop_table('public_generation')
