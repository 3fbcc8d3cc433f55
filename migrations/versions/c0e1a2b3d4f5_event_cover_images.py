"""a cover image per event, with its alt text per language

Revision ID: c0e1a2b3d4f5
Revises: 9c4d1e7a5b20
Create Date: 2026-12-02 06:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c0e1a2b3d4f5'
down_revision = '9c4d1e7a5b20'
branch_labels = None
depends_on = None

EVENT_COLUMNS = ('image_hash', 'image_width', 'image_height', 'image_widths')


def upgrade():
    # Plain ADD COLUMN (not a batch rebuild): on SQLite a rebuilt event table cascade-deletes its registrations.
    op.add_column('event', sa.Column('image_hash', sa.String(length=32), nullable=True))
    op.add_column('event', sa.Column('image_width', sa.Integer(), nullable=True))
    op.add_column('event', sa.Column('image_height', sa.Integer(), nullable=True))
    op.add_column('event', sa.Column('image_widths', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
    op.add_column('event_translation', sa.Column('image_alt', sa.String(length=300), server_default='', nullable=False))


def downgrade():
    # DROP COLUMN in place (SQLite 3.35 and later, PostgreSQL): these columns carry no index or constraint,
    # and a batch rebuild of the event table would cascade-delete its registrations.
    op.execute('ALTER TABLE event_translation DROP COLUMN image_alt')
    for name in EVENT_COLUMNS:
        op.execute(f'ALTER TABLE event DROP COLUMN {name}')
