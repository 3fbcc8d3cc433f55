"""an event's own registration questions and their answers

Revision ID: 7a3c9e2d4b61
Revises: 5e1a7c3b9d42
Create Date: 2026-12-02 09:30:00

"""
from alembic import op
import sqlalchemy as sa

from exchange.models.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = '7a3c9e2d4b61'
down_revision = '5e1a7c3b9d42'
branch_labels = None
depends_on = None

QUESTION_TYPES = (
    'text', 'long_text', 'number', 'date', 'choice', 'multiple_choice', 'yes_no', 'country', 'language', 'email',
    'phone', 'file',
)


def upgrade():
    op.create_table(
        'question',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('type', sa.Enum(*QUESTION_TYPES, name='question_type', native_enum=False, create_constraint=True, length=20), nullable=False),
        sa.Column('asked_of', sa.JSON(), nullable=False),
        sa.Column('required', sa.Boolean(), nullable=False),
        sa.Column('sensitive', sa.Boolean(), nullable=False),
        sa.Column('min_value', sa.Float(), nullable=True),
        sa.Column('max_value', sa.Float(), nullable=True),
        sa.Column('choices', sa.JSON(), nullable=False),
        sa.Column('labels', sa.JSON(), nullable=False),
        sa.Column('show_if_question', sa.String(length=40), nullable=True),
        sa.Column('show_if_equals', sa.String(length=100), nullable=True),
        sa.Column('retired_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_question_event_id_event'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_question')),
        sa.UniqueConstraint('event_id', 'key', name='uq_question_event_key'),
    )
    op.create_index(op.f('ix_question_event_id'), 'question', ['event_id'], unique=False)
    op.create_table(
        'answer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('delegate_id', sa.Integer(), nullable=True),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('file_name', sa.String(length=200), nullable=True),
        sa.Column('file_type', sa.String(length=40), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['delegate_id'], ['delegate.id'], name=op.f('fk_answer_delegate_id_delegate'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_answer_question_id_question'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_answer_registration_id_registration'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_answer')),
    )
    op.create_index('ix_answer_registration_id', 'answer', ['registration_id'], unique=False)
    op.create_index('ix_answer_question_id', 'answer', ['question_id'], unique=False)
    op.create_index(
        'uq_answer_registration_question', 'answer', ['registration_id', 'question_id'], unique=True,
        sqlite_where=sa.text('delegate_id IS NULL'), postgresql_where=sa.text('delegate_id IS NULL'),
    )
    op.create_index(
        'uq_answer_delegate_question', 'answer', ['delegate_id', 'question_id'], unique=True,
        sqlite_where=sa.text('delegate_id IS NOT NULL'), postgresql_where=sa.text('delegate_id IS NOT NULL'),
    )


def downgrade():
    op.drop_table('answer')
    op.drop_table('question')
