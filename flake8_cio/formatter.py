"""The flake8 formatter ``cio-sarif`` (``flake8 --format=cio-sarif``): the whole run as one SARIF log. flake8 imports
every plugin's module in every run, whatever the format asked for, so this one is only the adapter: the log is
built by ``fixers.report`` when a run that asked for it ends (importing the report was 15 M instructions of every
flake8 run)."""
from __future__ import annotations

from flake8.formatting.base import BaseFormatter


class SarifFormatter(BaseFormatter):
    """Collects flake8's violations; writes them as one SARIF log when the run stops."""

    def after_init(self) -> None:
        self.violations: list = []

    def handle(self, error) -> None:
        self.violations.append(error)

    def stop(self) -> None:
        from .fixers.report import flake8_sarif

        self._write(flake8_sarif(self.violations).rstrip("\n"))
        super().stop()

    def format(self, error):  # handle() collects instead
        return None
