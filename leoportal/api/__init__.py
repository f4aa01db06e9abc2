"""The public API: version 1's routes (``v1.py``, each app adding its router) and what every router shares: token
authentication, refusals and paging (``access.py``)."""
