"""Warehouse passwords stay out of URLs that are shown, logged or passed as flow parameters."""

from __future__ import annotations

import pytest

from tka.credentials import PASSWORD_ENV, connectable_url, has_password, masked, split_password


def test_split_and_mask():
    assert split_password("postgresql+psycopg://tka:s3cret@db:5432/tka") == ("postgresql+psycopg://tka@db:5432/tka",
                                                                             "s3cret")
    assert split_password("sqlite:///w.db") == ("sqlite:///w.db", None)
    assert has_password("postgresql://a:b@h/d") and not has_password("postgresql://a@h/d")
    assert masked("postgresql://a:b@h/d") == "postgresql://a:***@h/d"


def test_the_password_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    assert connectable_url("postgresql+psycopg://tka@db/tka") == "postgresql+psycopg://tka@db/tka"
    monkeypatch.setenv(PASSWORD_ENV, "p@ss:word")
    assert connectable_url("postgresql+psycopg://tka@db/tka") == "postgresql+psycopg://tka:p%40ss%3Aword@db/tka"
    assert connectable_url("sqlite:///w.db") == "sqlite:///w.db"
