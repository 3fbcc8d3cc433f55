"""Exit 0 when the PostgreSQL server of the given SQLAlchemy URL accepts a connection."""

import sys

import sqlalchemy as sa

try:
    engine = sa.create_engine(sys.argv[1], connect_args={"connect_timeout": 3})
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
except Exception:
    sys.exit(1)
