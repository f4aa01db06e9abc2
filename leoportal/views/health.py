"""``/healthz`` for load balancers and monitoring: 200 only when the site can do its work, 503 otherwise.

It asks the database (django-health-check's check) and, where Redis is configured, the broker (its Redis check)
and how long ago a Celery worker last sent its heartbeat (our own check: beat sends one every minute and a worker
sends one as it starts, so an old heartbeat means no worker is consuming the queue, or no beat). The JSON body
names each part: ``{"database": "ok", "broker": "down", "worker": "no heartbeat for 12 min"}``. It never names a
host, a version or an error's text.
"""

import dataclasses
import datetime

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from redis.asyncio import Redis as RedisClient

from leoportal.models import WorkerHeartbeat


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{round(seconds)} s"
    if seconds < 2 * 3600:
        return f"{round(seconds / 60)} min"
    if seconds < 2 * 86400:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} days"


@dataclasses.dataclass
class WorkerHeartbeatCheck(HealthCheck):
    """Unavailable when no worker has sent its heartbeat within ``max_age``."""

    max_age: datetime.timedelta = dataclasses.field(default=datetime.timedelta(minutes=3), repr=False)

    async def run(self):
        beat_at = await sync_to_async(self._last_beat)()
        if beat_at is None:
            raise ServiceUnavailable("no heartbeat yet")
        age = (timezone.now() - beat_at).total_seconds()
        if age > self.max_age.total_seconds():
            raise ServiceUnavailable(f"no heartbeat for {_age(age)}")

    @staticmethod
    def _last_beat():
        return WorkerHeartbeat.objects.filter(name="worker").values_list("beat_at", flat=True).first()


def _broker_client():
    return RedisClient.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)


class HealthView(HealthCheckView):
    """The checks in the order of the body; every answer is JSON, whatever the request accepts."""

    http_method_names = ["get", "head"]

    def get_checks(self):
        yield "database", Database()
        if settings.REDIS_URL:
            yield "broker", Redis(client_factory=_broker_client)
            yield "worker", WorkerHeartbeatCheck(max_age=datetime.timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE))

    async def get(self, request, *args, **kwargs):
        names, checks = zip(*self.get_checks(), strict=True)
        with self.get_executor() as executor:
            results = [await check.get_result(executor) for check in checks]
        body = {name: _state(name, result.error) for name, result in zip(names, results, strict=True)}
        return JsonResponse(body, status=503 if any(result.error for result in results) else 200)


def _state(name: str, error) -> str:
    if error is None:
        return "ok"
    if name == "worker" and isinstance(error, ServiceUnavailable):
        return error.message  # our own words: "no heartbeat for 12 min"
    return "down"  # the library's messages may name the host or the database's own error text


healthz = HealthView.as_view()
