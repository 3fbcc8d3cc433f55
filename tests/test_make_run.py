"""`make run` writes its demo data only into its own database (flask seed-demo/create-demo-organizer --only-default-database)."""

from sqlalchemy import func, select

from exchange.cli import create_demo_organizer_command, seed_demo_command
from exchange.extensions import db
from exchange.models import Event, User


def test_make_run_leaves_a_configured_database_without_demo_data(app):
    runner = app.test_cli_runner()
    for command in (seed_demo_command, create_demo_organizer_command):
        result = runner.invoke(command, ["--only-default-database"])
        assert result.exit_code == 0 and "no demo data or demo account written" in result.output
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_asked_explicitly_the_demo_goes_into_any_database(app):
    runner = app.test_cli_runner()
    assert runner.invoke(seed_demo_command).exit_code == 0
    assert runner.invoke(create_demo_organizer_command).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Event)) > 0
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "demo@example.org")) == 1
