#!/usr/bin/env python
"""Django's command-line utility for LEO Portal."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leoportal.settings")
    from django.core.exceptions import ImproperlyConfigured  # noqa: PLC0415 -- start-up
    from django.core.management import execute_from_command_line  # noqa: PLC0415 -- start-up

    try:
        from django.conf import settings  # noqa: PLC0415 -- start-up

        settings.INSTALLED_APPS  # noqa: B018 - load settings now, to report a bad value plainly
    except ImproperlyConfigured as error:
        sys.exit(f"Configuration error: {error}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
