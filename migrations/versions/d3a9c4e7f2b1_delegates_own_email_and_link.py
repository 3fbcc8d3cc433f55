"""a delegate's own email, language and personal link; outbox rows that name the delegate they are for

Revision ID: d3a9c4e7f2b1
Revises: b5d2e8f1a3c7
Create Date: 2026-12-04 20:30:00

"""
from alembic import op
import sqlalchemy as sa

from exchange.models.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'd3a9c4e7f2b1'
down_revision = 'b5d2e8f1a3c7'
branch_labels = None
depends_on = None


def upgrade():
    # Columns added in place: rebuilding delegate or outbox_message on SQLite would cascade-delete their children.
    op.add_column('delegate', sa.Column('email', sa.String(length=254), server_default='', nullable=False))
    op.add_column('delegate', sa.Column('language', sa.String(length=5), server_default='', nullable=False))
    op.add_column('delegate', sa.Column('ticket_mailed_to', sa.String(length=254), server_default='', nullable=False))
    op.add_column('outbox_message', sa.Column('delegate_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_outbox_message_delegate_id'), 'outbox_message', ['delegate_id'], unique=False)
    op.create_table(
        'delegate_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('delegate_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['delegate_id'], ['delegate.id'], name=op.f('fk_delegate_token_delegate_id_delegate'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_delegate_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_delegate_token_token_hash')),
    )
    op.create_index(op.f('ix_delegate_token_delegate_id'), 'delegate_token', ['delegate_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_delegate_token_delegate_id'), table_name='delegate_token')
    op.drop_table('delegate_token')
    op.drop_index(op.f('ix_outbox_message_delegate_id'), table_name='outbox_message')
    # Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL), for the same reason as above.
    op.drop_column('outbox_message', 'delegate_id')
    op.drop_column('delegate', 'ticket_mailed_to')
    op.drop_column('delegate', 'language')
    op.drop_column('delegate', 'email')
