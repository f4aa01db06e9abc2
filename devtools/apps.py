from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Measurement and fitting tools: benchmarks, the matching evaluation, synthetic volume, the load test.

    Installed only when asked for (``DEVTOOLS``, on by default with ``DEBUG``); nothing in a production app imports
    it.
    """

    name = "devtools"
    verbose_name = "Developer tools"
