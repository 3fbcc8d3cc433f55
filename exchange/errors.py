"""Domain errors. Their messages are translated and safe to show to users."""

from __future__ import annotations


class ExchangeError(Exception):
    """A rule of the domain refused an action; `message` is shown to the user."""

    def __init__(self, message: str):
        super().__init__(str(message))
        self.message = message


class InvalidEventData(ExchangeError):
    """An imported event file failed validation; nothing was imported."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems
