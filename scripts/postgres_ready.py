"""Exit 0 when the PostgreSQL server of the given SQLAlchemy URL accepts a connection; else print why and exit 1."""

import sys

import sqlalchemy as sa

try:
    engine = sa.create_engine(sys.argv[1], connect_args={"connect_timeout": 3})
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
except Exception as error:
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    print(f"PostgreSQL at {sa.make_url(sys.argv[1]).render_as_string(hide_password=True)}: {reason}", file=sys.stderr)
    sys.exit(1)
