"""Commands: notify (run the delivery stage), digest (preview or send the daily e-mail), deliveries (the outbox)."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.context import AppContext
from monitor.errors import CapwatchError, NotFoundError
from monitor.notify import enqueue_alert_notifications, enqueue_digest, flush_outbox, outbox, render_digest
from monitor.notify.digest_data import digest_key
from monitor.notify.flush import FlushReport
from monitor.output import emit, output_options
from storage.times import to_iso, utcnow

STATUS_STYLES = {"sent": "green", "pending": "yellow", "failed": "red"}


def _report(report: FlushReport) -> None:
    waits = report.rate_limit_waits
    click.echo(
        f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}, waiting {report.held}"
        + (f" ({waits} rate-limit wait{'s' if waits != 1 else ''} in this run)" if waits else "")
    )
    for line in report.errors:
        click.echo(f"  {line}", err=True)


@click.command("notify")
@click.option("--no-send", is_flag=True, help="Only queue messages; do not send anything.")
@click.pass_obj
def notify_cmd(app: AppContext, no_send: bool) -> None:
    """Run the delivery stage once: queue Slack alerts and a due digest, then send what is due.

    Every message goes through the outbox (see `capwatch deliveries`); failures are retried with backoff.
    """
    config, store = app.config(), app.store()
    now = utcnow()
    alerts = enqueue_alert_notifications(config, store, now=now)
    digest = enqueue_digest(config, store, now=now)
    click.echo(f"queued {alerts} Slack message(s)" + (" and today's digest" if digest else ""))
    if not no_send:
        _report(flush_outbox(config, store))


@click.command("digest")
@click.option("--preview", "preview", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write the digest's HTML to FILE.")
@click.option("--send", is_flag=True, help="Queue today's digest now (whatever the time) and send it.")
@click.pass_obj
def digest_cmd(app: AppContext, preview: Path | None, send: bool) -> None:
    """Render the daily digest: text on stdout, HTML with --preview FILE; --send e-mails it now.

    A day's digest is sent at most once: --send after today's digest went out says so and sends nothing.
    """
    config, store = app.config(), app.store()
    now = utcnow()
    if not preview and not send:
        click.echo(render_digest(config, store, now=now).text, nl=False)
        return
    if preview:
        digest = render_digest(config, store, now=now)
        preview.parent.mkdir(parents=True, exist_ok=True)
        preview.write_text(digest.html, encoding="utf-8")
        click.echo(f"wrote {preview} ({digest.subject})")
    if send:
        enqueue_digest(config, store, now=now, force=True)
        key = digest_key(config, now)
        row = outbox.by_key(store, key)
        assert row is not None
        if row.status == "sent":
            raise CapwatchError(
                f"today's digest ({key}) was already sent at {to_iso(row.sent_at or row.created)}; it is never sent twice"
            )
        if row.status == "failed":
            raise CapwatchError(
                f"today's digest (delivery {row.id}) failed: {row.last_error}; "
                f"fix the cause, then `capwatch deliveries --retry {row.id}`"
            )
        report = flush_outbox(config, store, ids=[row.id], ignore_schedule=True)
        done = outbox.get(store, row.id)
        if done is None or done.status != "sent":
            _report(report)
            raise CapwatchError(f"digest not sent (delivery {row.id}): {done.last_error if done else 'missing'}")
        click.echo(f"sent today's digest to {', '.join(done.payload['to'])} ({done.payload['subject']})")


@click.command("deliveries")
@click.option("--status", type=click.Choice(outbox.STATUSES), help="Only deliveries with this status.")
@click.option("--retry", "retry_ids", type=click.IntRange(1, 2**63 - 1), multiple=True, metavar="ID",
              help="Make delivery ID due again with a fresh attempt budget (repeatable); sent ones are refused.")
@click.option("--limit", type=click.IntRange(1, 100000), default=100, show_default=True)
@output_options
@click.pass_obj
def deliveries_cmd(app: AppContext, status: str | None, retry_ids: tuple[int, ...], limit: int, fmt: str) -> None:
    """List the outbox (newest first), or requeue failed deliveries with --retry ID."""
    store = app.store()
    if retry_ids:
        for rid in retry_ids:
            try:
                d = outbox.requeue(store, rid, utcnow())
            except LookupError as exc:
                raise NotFoundError(str(exc)) from None
            except ValueError as exc:
                raise CapwatchError(f"{exc}; a delivered message is never sent twice") from None
            except RuntimeError as exc:
                raise CapwatchError(f"{exc}; try again in a few minutes") from None
            click.echo(f"delivery {d.id} ({d.channel} {d.target}) is due again; `capwatch notify` sends it")
        return
    rows = outbox.listing(store, status=status, limit=limit)
    emit(
        rows,
        ["id", "channel", "target", "kind", "status", "attempts", "next_attempt", "sent_at", "last_error", "dedupe_key"],
        fmt,
        title="Outbox",
        empty="The outbox is empty.",
        styles={"status": lambda v: STATUS_STYLES.get(str(v), "")},
    )


COMMANDS: list[click.Command] = [notify_cmd, digest_cmd, deliveries_cmd]
