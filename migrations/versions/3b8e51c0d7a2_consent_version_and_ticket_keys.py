"""consent version, random ticket keys

Registrations record the privacy notice's version they agreed to. Tickets are
named by a random key per attendee instead of the registration and delegate
ids, so no ticket and no dump reveals a count; existing rows get a fresh key
(tickets emailed before this change no longer scan; the door list still
checks those people in by reference).

Revision ID: 3b8e51c0d7a2
Revises: 3b7e1c9d2a40
Create Date: 2026-12-01 21:40:00.000000

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3b8e51c0d7a2'
down_revision = '3b7e1c9d2a40'
branch_labels = None
depends_on = None


def _fill_ticket_keys(table_name: str) -> None:
    table = sa.table(table_name, sa.column('id', sa.Integer), sa.column('ticket_key', sa.String))
    connection = op.get_bind()
    for (row_id,) in connection.execute(sa.select(table.c.id)).all():
        connection.execute(table.update().where(table.c.id == row_id).values(ticket_key=secrets.token_urlsafe(16)))


def upgrade():
    # Columns are only added, never altered: on SQLite an alteration rebuilds the table, and
    # dropping the old registration table would cascade-delete delegates, links and history.
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_version', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('ticket_key', sa.String(length=24), nullable=True))
    with op.batch_alter_table('delegate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_key', sa.String(length=24), nullable=True))
    _fill_ticket_keys('registration')
    _fill_ticket_keys('delegate')
    op.create_index(op.f('ix_registration_ticket_key'), 'registration', ['ticket_key'], unique=True)
    op.create_index(op.f('ix_delegate_ticket_key'), 'delegate', ['ticket_key'], unique=True)


def downgrade():
    op.drop_index(op.f('ix_delegate_ticket_key'), table_name='delegate')
    op.drop_index(op.f('ix_registration_ticket_key'), table_name='registration')
    with op.batch_alter_table('delegate', schema=None) as batch_op:
        batch_op.drop_column('ticket_key')
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('ticket_key')
        batch_op.drop_column('consent_version')
