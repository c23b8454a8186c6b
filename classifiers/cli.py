"""``capwatch classifier ...``: train, evaluate and run the signal classifier from the command line.

The group works inside the main ``capwatch`` CLI (it reads providers and ``classifier.model_path`` /
``classifier.artifact_path`` from the config object the main group puts in ``ctx.obj``) and standalone (it
then falls back to the bundled organisation catalogue and the packaged model and artifact).

``predict`` exit codes: 0 when at least one line was classified or the input had no lines; 1 when there were
lines but none could be classified (every line bad); 2 on usage errors; 3 when the classifier could not be
loaded (model or artifact missing or invalid).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any

import click

from classifiers.backends import BACKENDS
from classifiers.dataset import ALL_SPLITS, SPLITS
from classifiers.types import ArticleText, Classifier, ClassifierError

EXIT_NOTHING_PROCESSED = 1
EXIT_CLASSIFIER_UNAVAILABLE = 3
PREDICT_BATCH = 64


def _config(ctx: click.Context) -> Any | None:
    """Return the capwatch config from the main group's ``ctx.obj`` if there is one, else None."""
    obj = ctx.find_root().obj if ctx.obj is None else ctx.obj
    getter = getattr(obj, "config", None)
    if not callable(getter):
        return None
    try:
        return getter()
    except Exception:  # noqa: BLE001 - a broken or missing config must not break the classifier commands
        return None


def provider_map(ctx: click.Context) -> dict[str, list[str]]:
    """Return organisation id -> names from the config (every recognised organisation), or the catalogue's."""
    cfg = _config(ctx)
    names = getattr(cfg, "org_names", None) if cfg is not None else None
    if isinstance(names, Mapping) and names:
        return {str(k): [str(n) for n in v] for k, v in names.items()}
    from classifiers.orgs.catalogue import load_catalogue

    return {o.id: list(o.names) for o in load_catalogue().values() if o.names}


def _classifier_setting(ctx: click.Context, name: str) -> str | None:
    """Return ``config.classifier.<name>`` if set, else None."""
    cfg = _config(ctx)
    section = getattr(cfg, "classifier", None) if cfg is not None else None
    value = getattr(section, name, None) if section is not None else None
    return str(value) if value else None


def _backend(ctx: click.Context, given: str | None) -> str:
    """The backend to use: ``given`` (a --backend option), else ``[classifier] backend``, else the default."""
    from classifiers.backends import DEFAULT_BACKEND

    return given or _classifier_setting(ctx, "backend") or DEFAULT_BACKEND


@click.group("classifier")
def classifier() -> None:
    """Train, evaluate and run the signal classifier."""


@classifier.command("train")
@click.option("--artifact", "artifact", type=click.Path(dir_okay=False), default=None,
              help="Where to write the signal model (default: classifiers/artifacts/signal_model.json + .npz).")
@click.option("--subject-artifact", type=click.Path(dir_okay=False), default=None,
              help="Where to write the subject model (default: classifiers/artifacts/subject_model.json).")
@click.option("--data-dir", type=click.Path(file_okay=False, exists=True), default=None,
              help="Folder with the synthetic splits and real/{train,dev,test}.jsonl (default: the shipped data).")
@click.option("--epochs", type=click.IntRange(1, 50), default=None, help="Training epochs (default: the recipe's).")
@click.option("--layers", type=click.IntRange(1, 6), default=None, help="Top encoder layers to fine-tune.")
@click.option("--limit", type=click.IntRange(1), default=None,
              help="Use only the first N real and N synthetic training items (quick runs and tests).")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.pass_context
def train_cmd(ctx: click.Context, artifact: str | None, subject_artifact: str | None, data_dir: str | None,
              epochs: int | None, layers: int | None, limit: int | None, as_json: bool) -> None:
    """Fine-tune the signal model and fit the subject model; write both artifacts; print real-dev metrics.

    Everything runs offline on CPU from the wheel's MiniLM; the default recipe takes well under 20 minutes on
    two cores. Nothing is chosen on real-test: measure it afterwards with `capwatch classifier eval`.
    """
    from dataclasses import replace

    from classifiers.finetune import FineTuneConfig, train_signal_model
    from classifiers.orgs.subjects import SUBJECT_ARTIFACT
    from classifiers.orgs.train_subjects import fit_and_save
    from classifiers.signal_model import DEFAULT_ARTIFACT

    cfg = FineTuneConfig()
    cfg = replace(cfg, epochs=epochs or cfg.epochs, layers=layers or cfg.layers)
    target = artifact or _classifier_setting(ctx, "artifact_path") or str(DEFAULT_ARTIFACT)
    subject_target = subject_artifact or str(SUBJECT_ARTIFACT)
    log = None if as_json else (lambda line: click.echo(line, err=True))
    try:
        model = train_signal_model(cfg, data_dir=data_dir, artifact_path=target,
                                   model_path=_classifier_setting(ctx, "model_path"), limit=limit, log=log)
        subjects = fit_and_save(data_dir, subject_target)
    except ClassifierError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps({"artifact": target, "version": model.version, "metrics": model.metrics,
                               "training": model.training, "subject_artifact": subject_target,
                               "subject_version": subjects.version, "subject_metrics": subjects.metrics}, indent=2))
        return
    dev = model.metrics["real-dev"]
    click.echo(f"wrote {target} ({model.version}) in {model.training['seconds']:.0f} s")
    click.echo(f"real-dev: macro-F1 {dev['macro_f1']:.3f}  micro-F1 {dev['micro_f1']:.3f}  n={dev['n']}")
    sd = subjects.metrics["real-dev"]
    click.echo(f"wrote {subject_target} ({subjects.version}): real-dev primary subject found "
               f"{sd['primary_found']:.3f}, no mention credited {sd['no_mention_credited']:.3f}")


@classifier.command("eval")
@click.option("--split", type=click.Choice(list(ALL_SPLITS) + list(SPLITS)), default="real-test", show_default=True)
@click.option("--artifact", "artifact", type=click.Path(dir_okay=False), default=None,
              help="Signal model to evaluate (default: the committed one).")
@click.option("--data-dir", type=click.Path(file_okay=False, exists=True), default=None)
@click.option("--backend", type=click.Choice(list(BACKENDS)), default=None,
              help="What runs the encoder (default: [classifier] backend, else onnx).")
@click.option("--json", "as_json", is_flag=True, help="Print the full reports as JSON.")
@click.pass_context
def eval_cmd(ctx: click.Context, split: str, artifact: str | None, data_dir: str | None, backend: str | None,
             as_json: bool) -> None:
    """Per-tag precision/recall/F1 with support, micro/macro F1, exact match and hard negatives left untagged,
    for the transformer and the keyword baseline; on real splits also financing direction and subjects."""
    from classifiers.evaluate import evaluate, format_report

    try:
        result = evaluate(
            split=split,
            providers=provider_map(ctx),
            model_path=_classifier_setting(ctx, "model_path"),
            artifact_path=artifact or _classifier_setting(ctx, "artifact_path"),
            data_dir=data_dir,
            backend=_backend(ctx, backend),
        )
    except ClassifierError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(result, indent=2) if as_json else format_report(result))


def _parse_line(line: str) -> ArticleText:
    """Parse one input line ``{"id", "title", "text"}``; raise ValueError with a short reason."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON ({exc.msg})") from None
    if not isinstance(row, dict):
        raise ValueError("not a JSON object")
    ident = row.get("id")
    if ident is None or isinstance(ident, bool) or not isinstance(ident, str | int) or str(ident) == "":
        raise ValueError('missing or invalid "id"')
    title, text = row.get("title", ""), row.get("text", "")
    if title is None:
        title = ""
    if text is None:
        text = ""
    if not isinstance(title, str) or not isinstance(text, str):
        raise ValueError('"title" and "text" must be strings')
    if not title.strip() and not text.strip():
        raise ValueError('empty "title" and "text"')
    return ArticleText(str(ident), title, text)


def _batches(stream: IO[str], size: int) -> Iterator[list[tuple[int, str]]]:
    """Yield the non-blank lines of ``stream`` with their 1-based line numbers, ``size`` at a time."""
    batch: list[tuple[int, str]] = []
    for lineno, line in enumerate(stream, 1):
        if line.strip():
            batch.append((lineno, line))
            if len(batch) >= size:
                yield batch
                batch = []
    if batch:
        yield batch


def run_predict(classifier_obj: Classifier, stream: IO[str], out: IO[str], err: IO[str], source: str,
                batch_size: int = PREDICT_BATCH) -> tuple[int, int]:
    """Classify JSON lines from ``stream`` to ``out``; report bad lines on ``err``. Return (good, bad)."""
    good = bad = 0
    for batch in _batches(stream, batch_size):
        items: list[ArticleText] = []
        for lineno, line in batch:
            try:
                items.append(_parse_line(line))
            except ValueError as exc:
                bad += 1
                err.write(f"{source}:{lineno}: skipped: {exc}\n")
        if items:
            for result in classifier_obj.classify(items):
                out.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
            out.flush()
            good += len(items)
    return good, bad


@classifier.command("predict")
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-", required=False)
@click.option("--kind", type=click.Choice(["transformer", "keyword"]), default="transformer", show_default=True)
@click.option("--artifact", "artifact", type=click.Path(dir_okay=False), default=None,
              help="Signal model artifact (transformer only; default: the committed one).")
@click.option("--backend", type=click.Choice(list(BACKENDS)), default=None,
              help="What runs the encoder (default: [classifier] backend, else onnx).")
@click.pass_context
def predict_cmd(ctx: click.Context, file: IO[str], kind: str, artifact: str | None, backend: str | None) -> None:
    """Classify JSON lines {"id","title","text"} from FILE (or stdin) into one JSON line each.

    Output per line: {"id","tags":[{"tag","confidence"}],"providers":[subject ids],"mentions":[ids],
    "roles":{id: role},"amounts":[{"value_usd","kind","text"}],"direction"}. Bad lines are reported on stderr with their line number and skipped. Exit 0 if
    anything was classified (or the input was empty), 1 if no line could be, 3 if the model is unavailable.
    """
    from classifiers.loader import load_classifier

    try:
        clf = load_classifier(
            kind,
            providers=provider_map(ctx),
            model_path=_classifier_setting(ctx, "model_path"),
            artifact_path=artifact or _classifier_setting(ctx, "artifact_path"),
            backend=_backend(ctx, backend),
        )
    except ClassifierError as exc:
        click.echo(f"error: {exc}", err=True)
        ctx.exit(EXIT_CLASSIFIER_UNAVAILABLE)
        return
    source = "<stdin>" if getattr(file, "name", "-") in ("-", "<stdin>") else str(file.name)
    out = sys.stdout
    err = sys.stderr
    try:
        good, bad = run_predict(clf, file, out, err, source)
    except ClassifierError as exc:  # the encoder is loaded (ONNX: exported) at the first batch
        click.echo(f"error: {exc}", err=True)
        ctx.exit(EXIT_CLASSIFIER_UNAVAILABLE)
        return
    if bad:
        err.write(f"{good} classified, {bad} skipped\n")
    if good == 0 and bad > 0:
        ctx.exit(EXIT_NOTHING_PROCESSED)


@classifier.command("export")
@click.option("--backend", type=click.Choice(["onnx-int8", "onnx"]), default=None,
              help="Which export to make (default: [classifier] backend when it is an ONNX one, else onnx).")
@click.option("--artifact", "artifact", type=click.Path(dir_okay=False), default=None,
              help="Signal model artifact (default: the committed one).")
@click.option("--force", is_flag=True, help="Export again even if the cache has this artifact's export.")
@click.pass_context
def export_cmd(ctx: click.Context, backend: str | None, artifact: str | None, force: bool) -> None:
    """Export the installed signal model to ONNX (and int8) into the model cache, as the first use would.

    The file is keyed by the artifact's weights hash, the encoder folder and the backend; it lives in
    $CAPWATCH_MODEL_CACHE or <data dir>/models and is made from the installed artifact, never downloaded.
    Prints the path. Exit 3 when the artifact is missing or the export fails.
    """
    from classifiers.onnx_backend import ensure_exported, export_path
    from classifiers.signal_model import load_signal_model

    chosen = backend or _backend(ctx, None)
    if chosen == "torch":
        chosen = "onnx"
    model_path = _classifier_setting(ctx, "model_path")
    try:
        model = load_signal_model(artifact or _classifier_setting(ctx, "artifact_path"))
        if force:
            for kind in ("onnx", chosen):
                export_path(model, kind, model_path).unlink(missing_ok=True)
        path = ensure_exported(model, chosen, model_path, log=lambda line: click.echo(line, err=True))
    except ClassifierError as exc:
        click.echo(f"error: {exc}", err=True)
        ctx.exit(EXIT_CLASSIFIER_UNAVAILABLE)
        return
    click.echo(str(path))


def main(argv: Sequence[str] | None = None) -> None:
    """Run the group standalone (``python -m classifiers.cli``)."""
    classifier.main(args=list(argv) if argv is not None else sys.argv[1:], prog_name="capwatch classifier")


if __name__ == "__main__":
    main()
