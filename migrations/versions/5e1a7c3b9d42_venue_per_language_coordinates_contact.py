"""venue per language, coordinates and an organizer contact per event

Revision ID: 5e1a7c3b9d42
Revises: c0e1a2b3d4f5
Create Date: 2026-12-02 06:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1a7c3b9d42'
down_revision = 'c0e1a2b3d4f5'
branch_labels = None
depends_on = None

# Plain ADD COLUMN everywhere (no batch rebuild): on SQLite a rebuilt event table would
# cascade-delete its registrations. SQLite takes a CHECK inside ADD COLUMN; PostgreSQL gets
# named table constraints. Either way the model's three checks hold.
CHECKS = {
    'latitude': ('ck_event_latitude_range', 'latitude BETWEEN -90 AND 90'),
    'longitude': ('ck_event_longitude_range', 'longitude BETWEEN -180 AND 180'),
}
PAIRED = ('ck_event_coordinates_paired', '(latitude IS NULL) = (longitude IS NULL)')


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f"ALTER TABLE event ADD COLUMN latitude FLOAT CONSTRAINT {CHECKS['latitude'][0]} CHECK ({CHECKS['latitude'][1]})")
        # The pairing check sits on longitude, which the downgrade drops first.
        op.execute(
            f"ALTER TABLE event ADD COLUMN longitude FLOAT CONSTRAINT {CHECKS['longitude'][0]} CHECK ({CHECKS['longitude'][1]})"
            f" CONSTRAINT {PAIRED[0]} CHECK ({PAIRED[1]})"
        )
    else:
        op.add_column('event', sa.Column('latitude', sa.Float(), nullable=True))
        op.add_column('event', sa.Column('longitude', sa.Float(), nullable=True))
        for name, condition in (*CHECKS.values(), PAIRED):
            op.execute(f'ALTER TABLE event ADD CONSTRAINT {name} CHECK ({condition})')
    op.add_column('event', sa.Column('contact_name', sa.String(length=200), server_default='', nullable=False))
    op.add_column('event', sa.Column('contact_email', sa.String(length=254), server_default='', nullable=False))
    op.add_column('event', sa.Column('contact_phone', sa.String(length=40), server_default='', nullable=False))
    op.add_column('event_translation', sa.Column('venue_name', sa.String(length=200), server_default='', nullable=False))
    op.add_column('event_translation', sa.Column('venue_address', sa.String(length=300), server_default='', nullable=False))


def downgrade():
    for table, column in (
        ('event_translation', 'venue_address'), ('event_translation', 'venue_name'), ('event', 'contact_phone'),
        ('event', 'contact_email'), ('event', 'contact_name'), ('event', 'longitude'), ('event', 'latitude'),
    ):
        # DROP COLUMN (SQLite 3.35+ and PostgreSQL) drops a column's own CHECKs with it; longitude first,
        # since its pairing check names latitude.
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
