"""The Redis cache backend reuses one redis-py client (leoportal.backends.cache) and still reads and writes."""

from django.core.cache import cache, caches

from leoportal.backends.cache import RedisCache


def test_one_client_serves_every_call_and_the_cache_works():
    assert isinstance(caches["default"], RedisCache)  # the tests run on Redis, as production does
    cache.set("reused-client", {"a": 1}, 30)

    assert cache.get("reused-client") == {"a": 1}
    assert caches["default"]._cache.get_client(write=True) is caches["default"]._cache.get_client(write=False)
    assert cache.delete("reused-client") and cache.get("reused-client") is None
