"""seat rules: delegate keys, address confirmation, seat caps, who checked in, approval digests

Revision ID: f17784da2ff7
Revises: 6df5111d08e0
Create Date: 2026-12-01 21:31:19.121436

"""
import secrets

from alembic import op
import sqlalchemy as sa

import exchange.models.types


# revision identifiers, used by Alembic.
revision = 'f17784da2ff7'
down_revision = '6df5111d08e0'
branch_labels = None
depends_on = None


def upgrade():
    # Only ADD COLUMN and CREATE INDEX: on SQLite anything that rebuilds a table (a new constraint,
    # NOT NULL) would drop it, and with foreign keys on that cascade-deletes its children.
    op.add_column('delegate', sa.Column('key', sa.String(length=24), nullable=True))
    op.add_column('delegate', sa.Column('checked_in_by', sa.String(length=254), server_default='', nullable=False))
    # Every delegate already registered gets its own random key (the edit form names rows by it).
    connection = op.get_bind()
    delegate = sa.table('delegate', sa.column('id', sa.Integer), sa.column('key', sa.String))
    for (delegate_id,) in connection.execute(sa.select(delegate.c.id)).all():
        connection.execute(delegate.update().where(delegate.c.id == delegate_id).values(key=secrets.token_urlsafe(12)))
    op.create_index('uq_delegate_key', 'delegate', ['key'], unique=True)

    op.add_column('event', sa.Column('approval_digest', sa.Boolean(), server_default='0', nullable=False))
    op.add_column('event', sa.Column('approval_digest_sent_at', exchange.models.types.UTCDateTime(timezone=True), nullable=True))

    op.add_column('registration', sa.Column('checked_in_by', sa.String(length=254), server_default='', nullable=False))
    op.add_column('registration', sa.Column('address_confirmed_at', exchange.models.types.UTCDateTime(timezone=True), nullable=True))
    op.add_column('registration', sa.Column('confirm_by', exchange.models.types.UTCDateTime(timezone=True), nullable=True))
    op.add_column('registration', sa.Column('client_key', sa.String(length=64), server_default='', nullable=False))
    op.create_index('ix_registration_event_client', 'registration', ['event_id', 'client_key'], unique=False)
    op.create_index('ix_registration_event_email', 'registration', ['event_id', 'email_normalized'], unique=False)
    op.create_index('ix_registration_status_confirm_by', 'registration', ['status', 'confirm_by'], unique=False)
    # Delegations registered before address confirmation existed count as confirmed.
    registration = sa.table('registration', sa.column('kind', sa.String), sa.column('created_at', sa.DateTime),
                            sa.column('address_confirmed_at', sa.DateTime))
    connection.execute(
        registration.update().where(registration.c.kind == 'delegation').values(address_confirmed_at=registration.c.created_at)
    )


def downgrade():
    op.drop_index('ix_registration_status_confirm_by', table_name='registration')
    op.drop_index('ix_registration_event_email', table_name='registration')
    op.drop_index('ix_registration_event_client', table_name='registration')
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('client_key')
        batch_op.drop_column('confirm_by')
        batch_op.drop_column('address_confirmed_at')
        batch_op.drop_column('checked_in_by')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('approval_digest_sent_at')
        batch_op.drop_column('approval_digest')
    op.drop_index('uq_delegate_key', table_name='delegate')
    with op.batch_alter_table('delegate', schema=None) as batch_op:
        batch_op.drop_column('checked_in_by')
        batch_op.drop_column('key')
