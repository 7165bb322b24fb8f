"""``python -m locker_cli``: the same as the ``locker`` command."""

from locker_cli.main import run

run()
