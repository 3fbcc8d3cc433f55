"""folded search columns for names, organisations, references and event titles

Revision ID: 9c4d1e7a5b20
Revises: 3b7e2c9d4f10
Create Date: 2026-12-02 01:40:00

"""
from alembic import op
import sqlalchemy as sa

from exchange.text import fold_for_search


# revision identifiers, used by Alembic.
revision = '9c4d1e7a5b20'
down_revision = '3b7e2c9d4f10'
branch_labels = None
depends_on = None

BATCH = 1000


def _backfill(table: str, columns: tuple[str, ...]) -> None:
    """Fold every existing row with the function the models use, so old rows are found like new ones."""
    connection = op.get_bind()
    rows = sa.table(table, sa.column('id'), sa.column('search_text'), *(sa.column(name) for name in columns))
    last_id = 0
    while True:
        batch = connection.execute(
            sa.select(rows.c.id, *(rows.c[name] for name in columns)).where(rows.c.id > last_id).order_by(rows.c.id).limit(BATCH)
        ).all()
        if not batch:
            return
        connection.execute(
            rows.update().where(rows.c.id == sa.bindparam('row_id')).values(search_text=sa.bindparam('folded')),
            [{'row_id': row[0], 'folded': fold_for_search(*(value or '' for value in row[1:]))} for row in batch],
        )
        last_id = batch[-1][0]


def upgrade():
    # Plain ADD COLUMN (not a batch rebuild): on SQLite a rebuilt registration table cascade-deletes its children.
    op.add_column('registration', sa.Column('search_text', sa.String(length=400), server_default='', nullable=False))
    op.add_column('delegate', sa.Column('search_text', sa.String(length=150), server_default='', nullable=False))
    op.add_column('event_translation', sa.Column('search_text', sa.Text(), server_default='', nullable=False))
    _backfill('registration', ('full_name', 'organization', 'reference'))
    _backfill('delegate', ('full_name',))
    _backfill('event_translation', ('title', 'summary'))
    op.create_index('ix_registration_event_search', 'registration', ['event_id', 'search_text'], unique=False)


def downgrade():
    op.drop_index('ix_registration_event_search', table_name='registration')
    with op.batch_alter_table('event_translation', schema=None) as batch_op:
        batch_op.drop_column('search_text')
    with op.batch_alter_table('delegate', schema=None) as batch_op:
        batch_op.drop_column('search_text')
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('search_text')
