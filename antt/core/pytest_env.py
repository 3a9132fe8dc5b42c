"""Loaded by pytest (``-p antt.core.pytest_env``) before Django settings: safe defaults for tests.

Tests run over plain HTTP with a throw-away secret; everything else comes from the environment, so
``ANTT_DATABASE_URL`` / ``ANTT_REDIS_URL`` switch the same suite to PostgreSQL and Redis.
"""

import os

os.environ.setdefault("ANTT_SECRET_KEY", "test-only-secret-key-that-is-long-enough-0123456789abcdefghij")
os.environ.setdefault("ANTT_HTTPS", "0")
os.environ.setdefault("ANTT_AUDIT_KEY", "test-only-audit-key")
os.environ.setdefault("ANTT_DEMO", "0")
os.environ.setdefault("ANTT_STATIC_MANIFEST", "0")
os.environ.setdefault(
    "ANTT_DB_CONN_MAX_AGE", "0"
)  # threads (live server, parallel writers) must not keep connections
os.environ.setdefault("ANTT_LOG_LEVEL", "WARNING")
