"""invitations that reserve seats for one partner until a deadline; invitation-only delegations

Revision ID: e4b1f7a9c2d6
Revises: d3a9c4e7f2b1
Create Date: 2026-12-04 20:35:00

"""
from alembic import op
import sqlalchemy as sa

from exchange.models.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'e4b1f7a9c2d6'
down_revision = 'd3a9c4e7f2b1'
branch_labels = None
depends_on = None

INVITATION_STATUSES = ('active', 'expired', 'revoked')


def upgrade():
    op.create_table(
        'invitation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('organization', sa.String(length=200), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('seats', sa.Integer(), nullable=False),
        sa.Column('seats_used', sa.Integer(), nullable=False),
        sa.Column('deadline', UTCDateTime(timezone=True), nullable=False),
        sa.Column('status', sa.Enum(*INVITATION_STATUSES, name='invitation_status', native_enum=False, create_constraint=True, length=20), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('sent_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('reminded_at', UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint('seats >= 1', name=op.f('ck_invitation_seats_positive')),
        sa.CheckConstraint('seats_used >= 0 AND seats_used <= seats', name=op.f('ck_invitation_seats_used_within')),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_invitation_event_id_event'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
        sa.UniqueConstraint('code', name=op.f('uq_invitation_code')),
    )
    op.create_index(op.f('ix_invitation_event_id'), 'invitation', ['event_id'], unique=False)
    op.create_index('ix_invitation_status_deadline', 'invitation', ['status', 'deadline'], unique=False)
    # Columns added in place: rebuilding event or registration on SQLite would cascade-delete their children.
    op.add_column('event', sa.Column('delegations_by_invitation', sa.Boolean(), server_default='0', nullable=False))
    op.add_column('registration', sa.Column('invitation_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_registration_invitation_id'), 'registration', ['invitation_id'], unique=False)


def downgrade():
    # The seats that open invitations hold go back to the public with them.
    op.execute(
        "UPDATE event SET seats_taken = seats_taken - (SELECT COALESCE(SUM(seats - seats_used), 0) FROM invitation "
        "WHERE invitation.event_id = event.id AND invitation.status = 'active')"
    )
    op.drop_index(op.f('ix_registration_invitation_id'), table_name='registration')
    op.drop_column('registration', 'invitation_id')
    op.drop_column('event', 'delegations_by_invitation')
    op.drop_index('ix_invitation_status_deadline', table_name='invitation')
    op.drop_index(op.f('ix_invitation_event_id'), table_name='invitation')
    op.drop_table('invitation')
