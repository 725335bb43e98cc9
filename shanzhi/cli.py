"""The ``shanzhi`` command: Django's management commands under the project's own name.

``shanzhi run`` serves the console with its worker, ``shanzhi demo`` loads the model district,
``shanzhi worker`` / ``shanzhi scheduler`` run background work, and every ``manage.py`` command works too.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shanzhi.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shanzhi", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
