#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # A checkout with neither DEBUG nor SECRET_KEY set is a developer's: give manage.py the local
    # defaults. A server always has a SECRET_KEY, so its commands keep production's settings, and
    # gunicorn and Celery (which do not pass through here) still refuse to start without one.
    if "DEBUG" not in os.environ and "SECRET_KEY" not in os.environ:
        os.environ["DEBUG"] = "true"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
