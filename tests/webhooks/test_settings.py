from tests.utils import run_manage


def test_startup_refuses_private_webhook_targets_without_debug():
    result = run_manage(
        "check",
        DEBUG="false",
        SECRET_KEY="a-long-random-production-secret-key-with-enough-entropy-0123456789",
        ALLOWED_HOSTS="portal.example.org",
        WEBHOOKS_ALLOW_PRIVATE="true",
    )

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Configuration error: WEBHOOKS_ALLOW_PRIVATE may be true only when DEBUG is true: it lets webhooks reach this "
        "machine and private networks, which is for development."
    )
