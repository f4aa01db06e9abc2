import os

import psycopg
import pytest
from django.db import connection

from leoportal.management.commands.ensure_database import ensure_database


def database_exists(config, name):
    with psycopg.connect(
        dbname="postgres", user=config["USER"], host=config["HOST"], port=config["PORT"], autocommit=True
    ) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


@pytest.mark.django_db
def test_ensure_database_creates_a_missing_database_once():
    config = {**connection.settings_dict, "NAME": f"leoportal_ensure_{os.getpid()}"}
    try:
        assert (ensure_database(config), ensure_database(config)) == (True, False)
        assert database_exists(config, config["NAME"]) is True
    finally:
        with psycopg.connect(
            dbname="postgres", user=config["USER"], host=config["HOST"], port=config["PORT"], autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}"')
