"""outbox messages keep their template and words, not a rendered body with a live manage link

Revision ID: 3b7e1c9d2a40
Revises: f17784da2ff7
Create Date: 2026-12-01 21:50:00

The stored bodies held every registrant's clear manage link; dropping them
removes those links from the database. Rows still to be sent (or retried)
become registration emails rendered at send time from their kind; an
organizer's note in a not-yet-sent body and broadcasts not yet delivered
cannot be recovered from the rendered text, so run `flask outbox send`
before upgrading (queued broadcasts are marked failed, with a reason).
"""
from alembic import op
import sqlalchemy as sa


revision = '3b7e1c9d2a40'
down_revision = 'f17784da2ff7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('template', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('context', sa.JSON(), nullable=True))
    outbox = sa.table(
        'outbox_message',
        sa.column('kind', sa.String),
        sa.column('template', sa.String),
        sa.column('context', sa.JSON),
        sa.column('status', sa.String),
        sa.column('last_error', sa.String),
    )
    connection = op.get_bind()
    for kind, in connection.execute(sa.select(outbox.c.kind).distinct()).all():
        if kind.startswith('registration_'):
            values = {'template': 'registration', 'context': {'notice': kind.removeprefix('registration_'), 'organizer_message': ''}}
        else:
            values = {'template': 'broadcast', 'context': {'body': ''}}
        connection.execute(sa.update(outbox).where(outbox.c.kind == kind).values(**values))
    connection.execute(
        sa.update(outbox)
        .where(outbox.c.template == 'broadcast', outbox.c.status == 'queued')
        .values(status='failed', last_error='not delivered before the upgrade that stopped storing bodies; send it again')
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('template', existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column('context', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('body_text')
        batch_op.drop_column('body_html')


def downgrade():
    # The bodies cannot be rebuilt (their links were never stored): old rows come back empty.
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_html', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('body_text', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('body_html', existing_type=sa.Text(), server_default=None)
        batch_op.alter_column('body_text', existing_type=sa.Text(), server_default=None)
        batch_op.drop_column('context')
        batch_op.drop_column('template')
