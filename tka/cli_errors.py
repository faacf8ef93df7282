"""Errors a person can act on: one Indonesian screen at most; the traceback goes to the log file."""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
import typer
from rich.console import Console

from tka.guards import GuardError
from tka.settings import PROJECT_ROOT, Settings

F = TypeVar("F", bound=Callable[..., Any])
LOG_NAME = "tka.log"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
err = Console(stderr=True, highlight=False)


def log_path(settings: Settings | None = None) -> Path:
    """Where tracebacks go: log_dir, else <cache dir>/logs, else data/logs of the project."""
    try:
        settings = settings or Settings()
    except Exception:  # noqa: BLE001 - a broken settings file must still leave a log
        return PROJECT_ROOT / "data" / "logs" / LOG_NAME
    folder = settings.log_dir or (settings.cache_dir / "logs" if settings.cache_dir else
                                  PROJECT_ROOT / "data" / "logs")
    return Path(folder) / LOG_NAME


def _file_handler(path: Path) -> logging.Handler:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.set_name("tka-log-file")
    return handler


def write_log(message: str, exc: BaseException | None = None, settings: Settings | None = None) -> Path:
    """Append ``message`` (and the traceback of ``exc``) to the log file; return its path."""
    path = log_path(settings)
    logger = logging.getLogger("tka.cli.errors")
    logger.propagate = False  # to the log file only: the screen gets the one-line message
    handler = _file_handler(path)
    logger.addHandler(handler)
    try:
        logger.error(message, exc_info=(type(exc), exc, exc.__traceback__) if exc else None)
    finally:
        logger.removeHandler(handler)
        handler.close()
    return path


class _NoTraceback(logging.Formatter):
    """Console lines without tracebacks (those go to the log file), cut to one line each."""

    def formatException(self, ei: Any) -> str:  # logging's API name
        return ""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record).strip().splitlines()
        return text[0][:300] if text else ""


@contextmanager
def quiet_console_logging(settings: Settings | None = None) -> Iterator[Path]:
    """While a run is in this process: Prefect and tka logs go to the log file; the screen gets warnings only,
    one line each, never a traceback. Prefect's own console handlers are detached meanwhile, then put back."""
    path = log_path(settings)
    file_handler = _file_handler(path)
    file_handler.setLevel(logging.INFO)
    screen = logging.StreamHandler(sys.stderr)
    screen.setLevel(logging.WARNING)
    screen.setFormatter(_NoTraceback("%(levelname)s %(message)s"))
    detached: list[tuple[logging.Logger, logging.Handler]] = []
    loggers = [logging.getLogger(), *(x for x in logging.root.manager.loggerDict.values()
                                      if isinstance(x, logging.Logger))]
    for logger in loggers:
        for handler in list(logger.handlers):
            if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
                logger.removeHandler(handler)
                detached.append((logger, handler))
    for name in ("prefect", "tka"):
        logging.getLogger(name).addHandler(file_handler)
        logging.getLogger(name).addHandler(screen)
    logging.captureWarnings(True)
    try:
        yield path
    finally:
        logging.captureWarnings(False)
        for name in ("prefect", "tka"):
            logging.getLogger(name).removeHandler(file_handler)
            logging.getLogger(name).removeHandler(screen)
        file_handler.close()
        for logger, handler in detached:
            logger.addHandler(handler)


def one_line(exc: BaseException) -> str:
    """The exception's first line, masked (it may quote a cell value) and cut to a screen's width."""
    from tka.compliance.channels import mask_personal

    text = str(exc).strip().splitlines()
    return mask_personal(f"{type(exc).__name__}: {text[0] if text else ''}")[:300]


def friendly(func: F) -> F:
    """Wrap a command: a GuardError prints its line; any other failure prints what, where the log is, what next."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, click.exceptions.ClickException, KeyboardInterrupt):
            raise
        except GuardError as exc:
            err.print(f"[bold red]Gagal:[/] {exc}", markup=True, soft_wrap=True)
            raise typer.Exit(code=exc.exit_code) from None
        except Exception as exc:  # noqa: BLE001 - every other failure: one screen, traceback to the log
            path = write_log(f"tka {' '.join(sys.argv[1:])}: {type(exc).__name__}", exc)
            err.print(f"[bold red]Gagal:[/] {one_line(exc)}", markup=True, soft_wrap=True)
            err.print(f"Rincian lengkap (traceback) ada di log: {path}", soft_wrap=True)
            err.print("Langkah berikutnya: perbaiki penyebabnya lalu jalankan perintah yang sama lagi; "
                      "menjalankan ulang aman. Kirim berkas log ke operator bila penyebabnya tidak jelas.",
                      soft_wrap=True)
            raise typer.Exit(code=1) from None

    return wrapper  # type: ignore[return-value]


def umask_private() -> None:
    """Files this process creates (warehouse, exports, logs) are readable by their owner only."""
    os.umask(0o077)
