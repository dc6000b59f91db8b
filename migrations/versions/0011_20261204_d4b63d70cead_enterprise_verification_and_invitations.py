"""enterprise verification and invitations

Enterprise accounts are unverified until they show they speak for their company (licence reviewed by
a supervisor, a one-time code to the contact on record, or an invitation); one-time codes and
invitations are stored hashed.

Existing data: the platform has so far held the demo seed and companies typed in by staff, hotline
intake and Open311 clients, so every existing account is marked verified (method "existing", no
date: it was never checked) and every existing company's contact counts as on record. New rows get
the safe defaults from the models (unverified, contact not on record): the database itself keeps no
server default that would verify a row inserted behind the models' back.

Revision ID: d4b63d70cead
Revises: 7255ba257190
Create Date: 2026-12-04 11:32:53.955158

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4b63d70cead'
down_revision = '7255ba257190'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=120), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_invitations_created_by_id_users')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_invitations_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_invitations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitations_token_hash'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('licence_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_licence_reviews_decided_by_id_users')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_licence_reviews_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_licence_reviews_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licence_reviews')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_licence_reviews_stored_name'))
    )
    with op.batch_alter_table('licence_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licence_reviews_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index('ix_licence_reviews_state', ['state', 'submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_licence_reviews_user_id'), ['user_id'], unique=False)

    op.create_table('verification_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=120), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_verification_codes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_codes'))
    )
    with op.batch_alter_table('verification_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_codes_user_id'), ['user_id'], unique=False)

    # Added nullable, filled for the existing rows, then made NOT NULL without a server default.
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_on_record', sa.Boolean(), nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verification', sa.Enum('unverified', 'pending', 'verified', name='verification', native_enum=False, length=20), nullable=True))
        batch_op.add_column(sa.Column('verification_method', sa.Enum('code', 'licence', 'invitation', 'colleague', 'staff', 'existing', name='verificationmethod', native_enum=False, length=20), nullable=True))
        batch_op.add_column(sa.Column('verified_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('verified_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_users_verified_by_id_users'), 'users', ['verified_by_id'], ['id'])

    op.execute(sa.text("UPDATE enterprises SET contact_on_record = :yes").bindparams(yes=True))
    op.execute("UPDATE users SET verification = 'verified'")
    op.execute("UPDATE users SET verification_method = 'existing' WHERE role = 'enterprise'")

    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.alter_column('contact_on_record', existing_type=sa.Boolean(), nullable=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('verification', existing_type=sa.Enum('unverified', 'pending', 'verified', name='verification', native_enum=False, length=20), nullable=False)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_verified_by_id_users'), type_='foreignkey')
        batch_op.drop_column('verified_by_id')
        batch_op.drop_column('verified_at')
        batch_op.drop_column('verification_method')
        batch_op.drop_column('verification')

    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_column('contact_on_record')

    with op.batch_alter_table('verification_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verification_codes_user_id'))

    op.drop_table('verification_codes')
    with op.batch_alter_table('licence_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licence_reviews_user_id'))
        batch_op.drop_index('ix_licence_reviews_state')
        batch_op.drop_index(batch_op.f('ix_licence_reviews_enterprise_id'))

    op.drop_table('licence_reviews')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_enterprise_id'))

    op.drop_table('invitations')
