import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql


def ensure_database(config: dict) -> bool:
    """Create the PostgreSQL database described by a Django DATABASES entry if missing; True if it was created."""
    params = {
        "dbname": "postgres",
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
    }
    with psycopg.connect(
        **{k: v for k, v in params.items() if v is not None}, autocommit=True, connect_timeout=10
    ) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
        return True


class Command(BaseCommand):
    help = "Create the PostgreSQL database named by DATABASE_URL if it does not exist yet (SQLite needs nothing)."

    def handle(self, *args, **options):
        config = settings.DATABASES["default"]
        if config["ENGINE"] != "django.db.backends.postgresql":
            return
        try:
            created = ensure_database(config)
        except psycopg.Error as error:
            raise CommandError(
                f"Could not reach PostgreSQL to create database {config['NAME']!r}: {error}. "
                "Check DATABASE_URL and that the server is running."
            ) from error
        if created:
            self.stdout.write(self.style.SUCCESS(f"Created database {config['NAME']}."))
