"""API tokens: made (the secret shown once), checked on each request (rate-limited per token), revoked.

A secret is ``leo_`` and 43 random URL-safe characters; only its SHA-256 is stored, with its first characters to
tell tokens apart. Per-token limits count requests per minute in the cache (``API_REQUESTS_PER_MINUTE``).
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Q
from django.utils import timezone

from leoportal.enums import TokenScope
from leoportal.models import ApiToken, User
from partners.enums import MembershipRole

PREFIX = "leo_"
# Writing "last used" on every request would make each API call a database write: once a minute is enough.
LAST_USED_EVERY = timedelta(minutes=1)


class TokenError(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"rate limited for {retry_after} s")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, *, name: str, scope: str = TokenScope.READ, organisation=None) -> tuple[ApiToken, str]:
    """A new token of ``user`` (for ``organisation`` when given, which they must belong to). Returns the token and
    its secret, which is not kept anywhere: show it once."""
    name = (name or "").strip()
    if not name:
        raise TokenError("Name the token: what will use it?")
    if scope not in TokenScope.values:
        raise TokenError(f"“{scope}” is not a scope: choose read or write.")
    if organisation is not None and not organisation.memberships.filter(user=user, role=MembershipRole.ADMIN).exists():
        raise TokenError(
            f"{user.email} is not an administrator of {organisation.name}: only its administrators make its tokens."
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        organisation=organisation,
        name=name[:100],
        scope=scope,
        prefix=secret[: len(PREFIX) + 6],
        key_hash=_hash(secret),
    )
    return token, secret


def live_tokens():
    """Tokens that open the API: not revoked, their holder active, and an organisation's token only while its
    holder is still an administrator of it (one who leaves or steps down takes the organisation's access along)."""
    still_admin = Q(organisation__isnull=True) | Q(
        organisation__memberships__user=F("user"), organisation__memberships__role=MembershipRole.ADMIN
    )
    return ApiToken.objects.filter(still_admin, revoked_at__isnull=True, user__is_active=True)


def token_for(secret: str, now=None) -> ApiToken | None:
    """The live token whose secret this is, or None; counts the request against its limit (``RateLimited`` past
    it) and notes when it was last used."""
    now = now or timezone.now()
    token = live_tokens().select_related("user", "organisation").filter(key_hash=_hash(secret or "")).first()
    if token is None:
        return None
    minute = int(now.timestamp() // 60)
    key = f"api-rate:{token.pk}:{minute}"
    cache.add(key, 0, timeout=120)
    if cache.incr(key) > settings.API_REQUESTS_PER_MINUTE:
        raise RateLimited(retry_after=60 - int(now.timestamp()) % 60)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def revoke_token(token: ApiToken) -> bool:
    return bool(ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()))
