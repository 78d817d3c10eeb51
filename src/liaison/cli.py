"""The `liaison` command: Django's management commands plus our own.

liaison demo              load the Thanh Hoa – Hua Phan demo data (re-runnable) and print logins
liaison demo-serve        start the worker and the server for `make demo`
liaison serve             serve pages and API (gunicorn, 127.0.0.1:8000 by default)
liaison worker            background work: signed audit checkpoints every minute and at shutdown
liaison audit verify      check the audit chain and checkpoints; names the first broken link
liaison audit checkpoint  sign the chain head now
liaison geo-import        load areas from the reference packages
liaison migrate, check, createsuperuser, shell, ...   as Django's manage.py
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and "-" in args[0] and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["liaison", *args])


if __name__ == "__main__":
    main()
