"""each delegate's own status (pending, approved, declined, substituted, cancelled), substitutions

Revision ID: b5d2e8f1a3c7
Revises: 7a3c9e2d4b61
Create Date: 2026-12-04 01:30:00

"""
from alembic import op
import sqlalchemy as sa

from exchange.models.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'b5d2e8f1a3c7'
down_revision = '7a3c9e2d4b61'
branch_labels = None
depends_on = None

DELEGATE_STATUSES = ('pending', 'approved', 'declined', 'substituted', 'cancelled')


def upgrade():
    # A column added in place: on SQLite, rebuilding the table would cascade-delete the delegates' answers,
    # so there the enum's CHECK is left out (the model only ever writes its values); PostgreSQL gets it.
    op.add_column('delegate', sa.Column('status', sa.String(length=20), server_default='pending', nullable=False))
    if op.get_bind().dialect.name != 'sqlite':
        allowed = ", ".join(f"'{status}'" for status in DELEGATE_STATUSES)
        op.create_check_constraint(op.f('ck_delegate_delegate_status'), 'delegate', f"status IN ({allowed})")
    # Who a substitute replaces: a plain id (see Delegate.replaces_id).
    op.add_column('delegate', sa.Column('replaces_id', sa.Integer(), nullable=True))
    op.add_column('event', sa.Column('substitution_deadline', UTCDateTime(timezone=True), nullable=True))
    op.add_column('event', sa.Column('substitutes_need_approval', sa.Boolean(), server_default='0', nullable=False))
    # Until now a delegation was approved or not as a whole: the delegates of an approved one are approved.
    # Those of a waiting, declined or cancelled one stay pending; the delegation's status tells the rest.
    delegate = sa.table('delegate', sa.column('status', sa.String), sa.column('registration_id', sa.Integer))
    registration = sa.table('registration', sa.column('id', sa.Integer), sa.column('status', sa.String))
    op.get_bind().execute(
        delegate.update()
        .where(
            delegate.c.registration_id.in_(sa.select(registration.c.id).where(registration.c.status == 'confirmed'))
        )
        .values(status='approved')
    )


def downgrade():
    # The delegates declined, replaced or cancelled one by one leave the delegation, as they would have before.
    op.execute("DELETE FROM delegate WHERE status NOT IN ('pending', 'approved')")
    # Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch rebuild of event would cascade-delete its rows' children.
    op.drop_column('event', 'substitutes_need_approval')
    op.drop_column('event', 'substitution_deadline')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_delegate_delegate_status'), 'delegate', type_='check')
    op.drop_column('delegate', 'replaces_id')
    op.drop_column('delegate', 'status')
