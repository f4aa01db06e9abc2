"""The classes the settings name in place of Django's own: the Redis cache backend that reuses its client
(``cache.RedisCache``) and the static-file finder that collects only the front-end files the pages use
(``staticfiles.ProjectFilesFinder``)."""
