"""The static-file finder of the project's own files and the front-end packages from npm (``STATICFILES_DIRS``).

A package's ``dist`` holds many builds beside the one the pages use (unminified, ES modules, right-to-left, partial
stylesheets, type declarations). ``collectstatic`` hashes each file it collects and compresses it twice, so of each
package only the files named in ``settings.VENDOR_FILES`` are collected; the project's own ``static/`` is collected
whole. Finding a single file (``runserver``, the tests' live server) is Django's as before.
"""

from django.conf import settings
from django.contrib.staticfiles.finders import FileSystemFinder


class ProjectFilesFinder(FileSystemFinder):
    def list(self, ignore_patterns):
        for path, storage in super().list(ignore_patterns):
            wanted = settings.VENDOR_FILES.get(getattr(storage, "prefix", None) or "")
            if wanted is None or path in wanted:
                yield path, storage
