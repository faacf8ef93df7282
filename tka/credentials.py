"""Warehouse credentials: never in flow parameters, logs or artifacts; from the environment or a Secret block."""

from __future__ import annotations

import os
import re

from sqlalchemy.engine import URL, make_url

PASSWORD_ENV = "TKA_WAREHOUSE_PASSWORD"


def split_password(url: str) -> tuple[str, str | None]:
    """``url`` without its password, and the password (None when the URL has none)."""
    parsed = make_url(url)
    if parsed.password is None:
        return url, None
    bare = URL.create(parsed.drivername, username=parsed.username, host=parsed.host, port=parsed.port,
                      database=parsed.database, query=parsed.query)
    return bare.render_as_string(hide_password=False), str(parsed.password)


def has_password(url: str) -> bool:
    """True when the URL carries a password."""
    return make_url(url).password is not None


def masked(url: str) -> str:
    """The URL as it may be shown or logged: a password, if any, as ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL: hide what looks like user:password@
        return re.sub(r"(//[^:/@]*:)[^@/]*@", r"\1***@", url)


def secret_block_password(block_name: str) -> str:
    """The value of the Prefect Secret block ``block_name`` (needs the Prefect API)."""
    from prefect.blocks.system import Secret

    secret = Secret.load(block_name)
    if not isinstance(secret, Secret):  # load() hands back a coroutine when called inside an event loop
        raise TypeError(f"Secret block {block_name!r} must be read from synchronous code")
    return str(secret.get())


def warehouse_password(secret_block: str | None = None) -> str | None:
    """The warehouse password: $TKA_WAREHOUSE_PASSWORD, else the named Prefect Secret block, else None."""
    if value := os.environ.get(PASSWORD_ENV):
        return value
    return secret_block_password(secret_block) if secret_block else None


def connectable_url(url: str, secret_block: str | None = None) -> str:
    """The URL to connect with: a URL without password gets the configured one (if any) added."""
    parsed = make_url(url)
    if parsed.password is not None or parsed.get_backend_name() == "sqlite":
        return url
    password = warehouse_password(secret_block)
    if password is None:
        return url
    return parsed.set(password=password).render_as_string(hide_password=False)
