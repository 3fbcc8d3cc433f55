"""door and viewer roles, session versions, export grants, two-factor sign-in

Revision ID: 3b7e2c9d4f10
Revises: 3b8e51c0d7a2
Create Date: 2026-12-01 21:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b7e2c9d4f10'
down_revision = '3b8e51c0d7a2'
branch_labels = None
depends_on = None

OLD_ROLES = ('admin', 'organizer')
NEW_ROLES = ('admin', 'organizer', 'door', 'viewer')


def _role_check(roles):
    return "role IN (" + ", ".join(f"'{role}'" for role in roles) + ")"


def _set_roles(roles):
    # The role column is a string with a CHECK listing the allowed values (a non-native enum):
    # widening the list means replacing the CHECK.
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_account_user_role'), type_='check')
        batch_op.create_check_constraint('user_role', _role_check(roles))


def upgrade():
    _set_roles(NEW_ROLES)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('may_export', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))

    op.create_table('recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_recovery_code_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code'))
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_code_user_id'))
    op.drop_table('recovery_code')
    op.execute("DELETE FROM user_account WHERE role IN ('door', 'viewer')")
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_secret')
        batch_op.drop_column('may_export')
        batch_op.drop_column('session_version')
    _set_roles(OLD_ROLES)
