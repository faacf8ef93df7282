"""Alert channels: Prefect notification blocks (webhooks, Slack, Teams, SMTP e-mail) and the operator hook.

This is the I/O edge of tka.compliance and the only module in it that imports Prefect. Channels are block
documents named in config/policy.yaml, either "<block-type-slug>/<name>" or just "<name>" (looked up among
blocks that can ``notify``). Create them from the command line (tka/cli_channels.py)::

    tka kanal buat-webhook tka-webhook --url https://…
    TKA_SMTP_PASSWORD=… tka kanal buat-email tka-email --to kesbangpol@… --from tka@… --smtp-host mail.… --username …
"""

from __future__ import annotations

import inspect
import re
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import anyio
from prefect.blocks.abstract import NotificationBlock
from prefect.blocks.core import Block
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterId,
    TaskRunFilter,
    TaskRunFilterState,
    TaskRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.logging import get_logger
from prefect.utilities.asyncutils import run_coro_as_sync
from prefect_email import EmailServerCredentials
from pydantic import Field
from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from tka.settings import previous_period

logger = get_logger("tka.compliance.channels")
WITA = ZoneInfo("Asia/Makassar")
# Passport-like tokens (letters and digits, 6-12 chars, at least 5 digits) are masked wherever free text
# from an exception could reach a message.
_PASSPORT_LIKE = re.compile(r"\b(?=[A-Z0-9]*\d{5})[A-Z]{0,3}\d[A-Z0-9]{4,10}\b", re.IGNORECASE)


class SmtpEmailNotification(NotificationBlock):
    """Send notifications as plain-text e-mail through an SMTP server (prefect-email credentials)."""

    _block_type_name = "TKA SMTP Email"
    _block_type_slug = "tka-smtp-email"
    _description = "E-mail notifications over SMTP, using prefect-email's EmailServerCredentials."

    credentials: EmailServerCredentials = Field(description="SMTP server and login.")
    email_from: str = Field(description="Sender address.")
    email_to: list[str] = Field(min_length=1, description="Recipient addresses.")
    subject_prefix: str = Field(default="", description="Text put before every subject.")

    def _message(self, body: str, subject: str | None) -> EmailMessage:
        message = EmailMessage()
        message["Subject"] = f"{self.subject_prefix}{subject or ''}"
        message["From"] = self.email_from
        message["To"] = ", ".join(self.email_to)
        message.set_content(body)
        return message

    def _send(self, body: str, subject: str | None) -> None:
        with self.credentials.get_server() as server:
            server.send_message(self._message(body, subject))

    async def notify(self, body: str, subject: str | None = None) -> None:
        """Send ``body`` as an e-mail with ``subject`` to every recipient."""
        # smtplib blocks; keep the event loop free.
        await anyio.to_thread.run_sync(self._send, body, subject)


def load_notification_block(name: str) -> NotificationBlock:
    """Load a notification block by "<type-slug>/<name>" or by its bare document name."""
    if "/" in name:
        block = Block.load(name)
    else:
        with get_client(sync_client=True) as client:
            matches = [d.block_type.slug for d in client.read_block_documents()
                       if d.name == name and d.block_type is not None
                       and "notify" in (d.block_schema.capabilities if d.block_schema else [])]
        if len(matches) != 1:
            raise ValueError(f"expected one notification block named {name!r}, found {len(matches)}; "
                             "use '<block-type-slug>/<name>'")
        block = Block.load(f"{matches[0]}/{name}")
    if not isinstance(block, NotificationBlock):
        raise TypeError(f"block {name!r} is a {type(block).__name__}, not a notification block")
    return block


def send(block_name: str, subject: str, body: str, dry_run: bool = False, console: Console | None = None) -> bool:
    """Send one message through a notification block (or print it when ``dry_run``); True if sent."""
    if dry_run:
        # Text, not markup: "[TKA]" and company names must print literally.
        panel = Panel(Text(body), title=Text(f"[dry run] {block_name}: {subject}"), expand=False)
        (console or Console()).print(panel)
        return False
    block = load_notification_block(block_name)
    # Errors must reach the caller so the alert ledger does not record a message that was never delivered.
    with block.raise_on_failure():
        result = block.notify(body, subject)
        if inspect.isawaitable(result):
            run_coro_as_sync(result)
    logger.info("Alert sent through %s", block_name)
    return True


def mask_personal(text: str) -> str:
    """Mask passport-like tokens: E12345678 -> E12****78."""
    return _PASSPORT_LIKE.sub(lambda m: f"{m.group()[:3]}****{m.group()[-2:]}", text)


def _task_runs(flow_run: Any, states: list[StateType]) -> list[Any]:
    """Task runs of ``flow_run`` in one of ``states``, from the Prefect API."""
    with get_client(sync_client=True) as client:
        return client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run.id])),
            task_run_filter=TaskRunFilter(state=TaskRunFilterState(type=TaskRunFilterStateType(any_=states))),
        )


STAGE_LOOKUP_TRIES = 12


def _failed_stage(flow_run: Any) -> str | None:
    """Name of the task (stage) that failed in ``flow_run``; after a crash, the one that was still running."""
    try:
        # Task-run states reach the API asynchronously (as events): give them a few seconds to land.
        runs = []
        for _ in range(STAGE_LOOKUP_TRIES):
            runs = _task_runs(flow_run, [StateType.FAILED, StateType.CRASHED])
            if runs:
                break
            time.sleep(0.5)
        runs = runs or _task_runs(flow_run, [StateType.RUNNING])
    except Exception:  # the alert must go out even when the API cannot tell the stage
        logger.warning("Could not read task runs of flow run %s", getattr(flow_run, "id", "?"), exc_info=True)
        return None
    if not runs:
        return None
    first = min(runs, key=lambda r: r.start_time or r.expected_start_time or datetime.max.replace(tzinfo=UTC))
    # Prefect names a task run "<task name>-<short key>"; the task name is the stage.
    return first.name.rsplit("-", 1)[0] if "-" in first.name else first.name


def _run_period(flow_run: Any) -> str | None:
    """The run's period: its ``period`` parameter, else the month before the run started (in WITA)."""
    period = (getattr(flow_run, "parameters", None) or {}).get("period")
    if isinstance(period, str):
        return period
    started = getattr(flow_run, "start_time", None) or getattr(flow_run, "expected_start_time", None)
    if started is None:
        return None
    local = started.astimezone(WITA)
    return previous_period(local.year, local.month)


def failure_message(flow_name: str, period: str | None, stage: str | None, state_type: str,
                    error_type: str | None, flow_run_name: str | None, at: datetime) -> tuple[str, str]:
    """Subject and body of an operator alert; only names of things, never data values."""
    period_text, stage_text = period or "tidak diketahui", stage or "tidak diketahui"
    subject = f"[TKA] Flow gagal: {flow_name} periode {period_text} tahap {stage_text}"
    local = at.astimezone(WITA)
    body = "\n".join([
        subject,
        f"Status: {state_type}",
        f"Jenis kesalahan: {error_type or '-'}",
        f"Flow run: {flow_run_name or '-'}",
        f"Waktu: {local:%Y-%m-%d %H:%M} {local.tzname()}",
        "Periksa log Prefect untuk rinciannya.",
    ]) + "\n"
    return subject, mask_personal(body)


def _error_type(state: Any) -> str | None:
    """Class name of the exception behind a failed state (its message may hold personal data, so not that)."""
    try:
        result = state.result(raise_on_failure=False)
    except Exception as exc:  # noqa: BLE001 - a crashed state can raise while resolving its result
        return type(exc).__name__
    return type(result).__name__ if isinstance(result, BaseException) else None


def make_failure_hook(channels_getter: Callable[[], Sequence[str]],
                      dry_run_getter: Callable[[], bool] = lambda: False) -> Callable[[Any, Any, Any], None]:
    """A Prefect on_failure / on_crashed hook that tells every alert channel which flow, period and stage failed."""

    def hook(flow: Any, flow_run: Any, state: Any) -> None:
        subject, body = failure_message(
            flow_name=flow.name, period=_run_period(flow_run),
            stage=_failed_stage(flow_run), state_type=str(getattr(state, "name", None) or state.type),
            error_type=_error_type(state), flow_run_name=getattr(flow_run, "name", None),
            at=datetime.now(UTC),
        )
        for channel in channels_getter():
            try:
                send(channel, subject, body, dry_run=dry_run_getter())
            except Exception:  # one broken channel must not silence the others
                logger.exception("Operator alert through %s failed", channel)

    return hook
