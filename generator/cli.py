"""The `gen` command: a thin layer over the library (generator.runtime, generator.fixtures, ...)."""

from __future__ import annotations

import contextlib
import json
import math
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click
import yaml

from . import contract, fixtures, replay, safeyaml
from .contract import manifest
from .push import api as push_api
from .runtime import ENGINES, CannedResponse, Limits, RequestFailed, Transformation, batching, jsvalues, v8
from .runtime.batching import DEFAULT_BATCH_SIZE
from .runtime.engine import MAX_MEMORY_MB, MAX_SECONDS, NotUTF8, read_text

USAGE_ERROR = 2
STOPPED = 3  # gen replay: a worker died; the report covers what was answered before
F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str, code: int = USAGE_ERROR) -> None:
    click.echo(f"gen: error: {message}", err=True)
    sys.exit(code)


def _text(source: str, what: str) -> str:
    """A UTF-8 file (or stdin for `-`), or a usage error that says what is wrong with it."""
    try:
        if source == "-":
            return sys.stdin.buffer.read().decode("utf-8")
        return read_text(Path(source), what)
    except OSError as exc:
        raise click.UsageError(f"cannot read {source}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise click.UsageError(f"stdin: the {what} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x})") from exc
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


def _object_file(path: str | None, what: str, wrong: str) -> dict[str, Any] | None:
    """An option's JSON or YAML object, None when the option is not given; `wrong` says what it must hold."""
    value = _read_mapping(path, what)
    if value is not None and not isinstance(value, dict):
        raise click.UsageError(wrong)
    return value


def _read_mapping(path: str | None, what: str) -> Any:
    if path is None:
        return None
    text = _text(path, f"{what} file")
    try:
        return safeyaml.load(text) if path.endswith((".yaml", ".yml")) else jsvalues.loads(text)
    except jsvalues.JSONError as exc:
        raise click.UsageError(f"{path}:{exc.line}:{exc.column}: invalid JSON: {exc.msg}") from exc
    except safeyaml.YAMLLimitError as exc:
        raise click.UsageError(f"{path}:{exc.line}:{exc.column}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise click.UsageError(f"{what} file {path} is not valid YAML: {exc}") from exc


def _engine_option(default: str | None = None, extra: tuple[str, ...] = ()) -> Callable[[F], F]:
    """--engine: QuickJS (gen's default) or V8 (RudderStack's engine, through Node.js)."""

    def checked(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value == "auto":
            value = "v8" if v8.available() else "quickjs"
        if value == "v8":
            try:
                info = v8.probe()
            except v8.EngineUnavailable as exc:
                raise click.BadParameter(str(exc)) from None
            difference = v8.differences(info)
            if difference:
                click.echo(f"gen: warning: {difference}", err=True)
        return value

    return click.option(
        "--engine", type=click.Choice([*ENGINES, *extra]), default=default, callback=checked,
        show_default=default is not None,
        help="The JavaScript engine: quickjs (bundled), or v8, RudderStack's engine, run by Node.js "
             "(the `v8` extra installs Node 22). Default: $GEN_ENGINE, else quickjs."
        if default is None else "The JavaScript engine: quickjs, v8, or auto (v8 when Node.js is installed).",
    )


def _finite_seconds(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not math.isfinite(value):
        raise click.BadParameter(f"{value!r} is not a number of seconds")
    return value


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gen")
def main() -> None:
    """Make a RudderStack → Customer.io tracking plan executable, and test transformations locally."""


@main.command()
@click.argument("contract_file", metavar="[CONTRACT]", default="contract.yaml",
                type=click.Path(path_type=Path))
@click.option("--out", "out_dir", default="generated", show_default=True, type=click.Path(path_type=Path),
              help="Directory the generated files go to.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the generated files are not up to date.")
def build(contract_file: Path, out_dir: Path, check: bool) -> None:
    """Render CONTRACT (default contract.yaml) into generated/transformation.js.

    All problems are reported at once, as FILE:LINE:COLUMN: error: …; with any error
    nothing is written and the exit code is 2.
    """
    result = _compile(contract_file)
    for diagnostic in result.diagnostics:
        click.echo(str(diagnostic), err=True)
    if not result.ok:
        errors = sum(1 for d in result.diagnostics if d.severity == "error")
        click.echo(f"{errors} error{'s' if errors != 1 else ''}; nothing written", err=True)
        sys.exit(USAGE_ERROR)
    try:
        if check:
            stale = contract.drift(result.files, out_dir)
            for path in stale:
                click.echo(f"{path} is out of date with {contract_file}; run `gen build`", err=True)
            sys.exit(1 if stale else 0)
        written = contract.write(result.files, out_dir)
    except OSError as exc:
        where = exc.filename or out_dir
        _fail(f"cannot {'read' if check else 'write'} {where}: {exc.strerror}")
    for path in written:
        click.echo(f"wrote {path}")


def _compile(path: Path) -> contract.BuildResult:
    """The contract at PATH compiled; a file that cannot be read is a usage error (exit 2)."""
    try:
        text = read_text(path, "contract")
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror}")
    except NotUTF8 as exc:
        click.echo(str(contract.Diagnostic(str(path), exc.line, exc.column, "error", exc.detail)), err=True)
        sys.exit(USAGE_ERROR)
    return contract.compile_contract(text, str(path))


def _compiled(path: Path) -> contract.Contract:
    """The contract at PATH, or its diagnostics on stderr and exit 2."""
    result = _compile(path)
    if not result.ok or result.contract is None:
        for diagnostic in result.diagnostics:
            click.echo(str(diagnostic), err=True)
        sys.exit(USAGE_ERROR)
    return result.contract


def _fixture_targets(paths: tuple[Path, ...]) -> list[Path]:
    """The fixture paths given, else tests/fixtures, else the current directory."""
    return list(paths) or [Path("tests/fixtures") if Path("tests/fixtures").is_dir() else Path(".")]


def _output(text: str, out_file: str | None) -> None:
    """TEXT to OUT_FILE, or to stdout when none is given."""
    # A lone surrogate (a YAML escape in a description) has no UTF-8 form: it is written as
    # its escape, as JSON.stringify writes one.
    text = jsvalues.escape_lone_surrogates(text)
    if out_file is None:
        click.echo(text, nl=False)
        return
    try:
        Path(out_file).write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {out_file}: {exc.strerror}")


@contextlib.contextmanager
def _running(transformation: str) -> Iterator[None]:
    """Loading or running a transformation: what goes wrong, as one line and gen's exit codes."""
    try:
        yield
    except OSError as exc:
        raise click.UsageError(f"cannot read {transformation}: {exc.strerror}") from exc
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    except RequestFailed as exc:
        _fail(f"RudderStack's transformer fails this request (HTTP 500): {exc}", 1)


@main.command()
@click.argument("transformation", type=click.Path(exists=True, dir_okay=False))
@click.argument("events")
@click.option("--name", help="The transformation's name in stack traces (default: the file name).")
@click.option("--metadata", "metadata_file", metavar="FILE", help="JSON object merged into every event's metadata.")
@click.option("--credentials", "credentials_file", metavar="FILE",
              help="JSON object {key: value} (or RudderStack's [{key, value}]) for getCredential().")
@click.option("--fetch", "fetch_file", metavar="FILE",
              help="JSON/YAML object {url: {status, headers, body} | {error}}: canned answers for fetch/fetchV2.")
@click.option("--logs", is_flag=True, help="Collect log() calls (test mode) and print them to stderr.")
@click.option("--timeout", type=click.FloatRange(0, MAX_SECONDS, min_open=True), callback=_finite_seconds,
              default=Limits.execution_timeout, show_default=True,
              help="Execution time limit in seconds (RudderStack: 4).")
@click.option("--memory", type=click.IntRange(1, MAX_MEMORY_MB), default=Limits.memory_mb, show_default=True,
              help="Memory limit in MB (RudderStack: 128).")
@click.option("--batch-size", type=click.IntRange(1), default=DEFAULT_BATCH_SIZE, show_default=True,
              help="Events per request, per destination and source, as rudder-server sends them.")
@_engine_option()
def run(
    transformation: str,
    events: str,
    name: str | None,
    metadata_file: str | None,
    credentials_file: str | None,
    fetch_file: str | None,
    logs: bool,
    timeout: float,
    memory: int,
    batch_size: int,
    engine: str | None,
) -> None:
    """Run TRANSFORMATION on EVENTS and print what RudderStack's POST /customTransform answers.

    EVENTS is a JSON array, NDJSON (optionally .gz), or - for stdin. Each event is a
    RudderStack message or a {"message", "metadata"} item. Events are sent as rudder-server
    sends them: per destination and source, at most --batch-size per request; the answer
    is the requests' answers in turn.
    """
    metadata = _object_file(metadata_file, "metadata", "--metadata must hold a JSON object")
    credentials = _read_mapping(credentials_file, "credentials")
    if credentials is not None and not isinstance(credentials, (dict, list)):
        raise click.UsageError("--credentials must hold a JSON object or a list of {key, value}")
    fetch_spec = _read_mapping(fetch_file, "fetch") or {}
    if not isinstance(fetch_spec, dict):
        raise click.UsageError("--fetch must hold an object keyed by URL")
    try:
        canned = {str(url): CannedResponse.from_spec(spec) for url, spec in fetch_spec.items()}
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    seen = 0
    printed = 0
    # The answer is printed as it comes, one entry at a time, so memory stays flat however
    # many events there are; the text is what jsvalues.dumps(whole answer, indent=2) gives.
    try:
        with _running(transformation):
            program = Transformation.from_path(
                transformation, name, limits=Limits(execution_timeout=timeout, memory_mb=memory), engine=engine
            )
            try:
                for request in batching.requests(replay.request_items([events], metadata), batch_size):
                    seen += len(request)
                    result = program.run(request, credentials=credentials, fetch=canned, test_mode=logs)
                    for warning in result.warnings:
                        click.echo(f"gen: warning: {warning}", err=True)
                    for line in result.logs:
                        click.echo(line, err=True)
                    for entry in result.response:
                        text = jsvalues.dumps(entry, indent=2).replace("\n", "\n  ")
                        click.echo(("[\n  " if not printed else ",\n  ") + text, nl=False)
                        printed += 1
            except replay.InputError as exc:
                raise click.UsageError(str(exc)) from exc
    finally:
        if printed:
            # Also when a request fails or the input turns bad: stdout stays one JSON array,
            # the answers to the requests before.
            click.echo("\n]")
    if not seen:
        raise click.UsageError(f"{'stdin' if events == '-' else events}: no events")
    if not printed:
        click.echo("[]")


@main.command()
@click.argument("transformation", type=click.Path(exists=True, dir_okay=False))
@click.argument("events")
@click.option("--metadata", "metadata_file", metavar="FILE", help="JSON object merged into every event's metadata.")
@click.option("--config", "config_file", metavar="FILE",
              help="The Customer.io destination's settings: {siteID, apiKey, datacenter, deviceTokenEventName}.")
@click.option("--format", "output_format", type=click.Choice(["json", "table", "html"]), default="json",
              show_default=True)
@click.option("--people", "people_view", is_flag=True, help="The people Customer.io ends up with, not the calls.")
@click.option("--out", "out_file", metavar="FILE", help="Write here instead of stdout.")
def preview(transformation: str, events: str, metadata_file: str | None, config_file: str | None,
            output_format: str, people_view: bool, out_file: str | None) -> None:
    """Run TRANSFORMATION on EVENTS, then show the Customer.io API calls they become and the people they land on.

    The calls are those of RudderStack's Customer.io destination (cloud mode, the v1 Track
    API path it takes by default), emulated offline. Exit code 1 when a warning was found.
    """
    from . import customerio
    from .customerio import preview as previewing
    from .customerio import render

    metadata = _object_file(metadata_file, "metadata", "--metadata must hold a JSON object")
    settings = _object_file(config_file, "config",
                            "--config must hold an object with siteID, apiKey, datacenter, deviceTokenEventName")
    config = customerio.Config.from_settings({"siteID": "SITE_ID", "apiKey": "API_KEY", **(settings or {})})
    try:
        events_data = list(replay.read_events([events]))
    except replay.InputError as exc:
        raise click.UsageError(str(exc)) from exc
    if not events_data:
        raise click.UsageError(f"{'stdin' if events == '-' else events}: no events")
    with _running(transformation):
        result = previewing.run(Transformation.from_path(transformation), events_data, metadata=metadata,
                                config=config)
    if output_format == "json":
        text = jsvalues.dumps(result.people.as_json() if people_view else result.as_json(), indent=2) + "\n"
    elif output_format == "table":
        text = render.table(result, people_view=people_view)
    else:
        text = render.page(result)
    _output(text, out_file)
    for warning in result.people.warnings if output_format == "json" and not people_view else []:
        click.echo(f"gen: warning: {warning.kind}: {warning.message}", err=True)
    sys.exit(1 if result.people.warnings else 0)


@main.command("replay")
@click.argument("transformation", type=click.Path(exists=True, dir_okay=False))
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for replay.duckdb, summary.json, report.md and report.html.")
@click.option("--metadata", "metadata_file", metavar="FILE", help="JSON object merged into every event's metadata.")
@click.option("--contract", "contract_file", metavar="FILE", type=click.Path(exists=True, dir_okay=False),
              help="The contract the transformation was built from: its declared properties, dedupe ids and "
                   "annotation names shape the report.")
@_engine_option("auto", ("auto",))
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes (default: one per core, at most 8).")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where requests run: a local process pool, or a Dask cluster.")
@click.option("--scheduler", metavar="ADDRESS", help="With --executor dask: the scheduler (default: a local cluster).")
@click.option("--batch-size", type=click.IntRange(1), default=DEFAULT_BATCH_SIZE, show_default=True,
              help="Events per request, per destination and source, as rudder-server sends them.")
@click.option("--destination", type=click.Choice(["customerio"]), default=None,
              help="Also emulate the destination, and report the people Customer.io ends up with.")
@click.option("--destination-config", "destination_file", metavar="FILE",
              help="The destination's settings ({siteID, apiKey, datacenter, deviceTokenEventName}).")
@click.option("--outputs", "keep_outputs", is_flag=True,
              help="Also write the transformed events to OUT/transformed.ndjson.")
@click.option("--fresh-contexts", is_flag=True,
              help="On V8, a fresh context for every request, as RudderStack runs it, instead of a warm one "
                   "reused while it answers the same (more than 2x slower; same rows).")
@click.option("--fail-on", "fail_on", multiple=True, metavar="EXPR",
              help="Exit 1 when it holds, e.g. 'failed>0' or 'violations>1%' (a % is of the events in).")
def replay_command(transformation: str, inputs: tuple[str, ...], out_dir: Path, metadata_file: str | None,
                   contract_file: str | None, engine: str, workers: int | None, executor: str,
                   scheduler: str | None, batch_size: int,
                   destination: str | None, destination_file: str | None, keep_outputs: bool,
                   fresh_contexts: bool, fail_on: tuple[str, ...]) -> None:
    """Replay INPUT... (JSON arrays, NDJSON, .gz, directories) through TRANSFORMATION, as production would.

    Streams the inputs into rudder-server's requests, answers them in parallel, and writes
    OUT/replay.duckdb (tables `events`, `outputs` and `drops`, also as events.ndjson,
    outputs.ndjson and drops.ndjson), OUT/summary.json, OUT/report.json, OUT/report.md and OUT/report.html
    (and OUT/transformed.ndjson with --outputs). Ctrl-C stops early and still writes the
    report of what was read.
    Exit codes: 0 done; 1 a --fail-on condition holds; 2 a usage error; 3 a worker died
    (the report covers what was answered before); 130 interrupted.
    """
    try:
        _replay(transformation, inputs, out_dir, metadata_file, contract_file, engine, workers, executor, scheduler,
                batch_size, destination, destination_file, keep_outputs, fresh_contexts, fail_on)
    except KeyboardInterrupt:
        # Before the replay began (a replay interrupted later still writes its report).
        click.echo("gen: interrupted", err=True)
        sys.exit(130)


def _replay(transformation: str, inputs: tuple[str, ...], out_dir: Path, metadata_file: str | None,
            contract_file: str | None, engine: str, workers: int | None, executor: str,
            scheduler: str | None, batch_size: int,
            destination: str | None, destination_file: str | None, keep_outputs: bool,
            fresh_contexts: bool, fail_on: tuple[str, ...]) -> None:
    from .replay import report as reporting
    from .replay import run as running
    from .replay.worker import Job

    metrics = reporting.METRICS + (reporting.CUSTOMERIO_METRICS if destination else ())
    for condition in fail_on:
        try:
            reporting.parse_condition(condition, metrics)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc
    metadata = _object_file(metadata_file, "metadata", "--metadata must hold a JSON object")
    if metadata is not None and "messageId" in metadata:
        raise click.UsageError("--metadata must not set messageId: every event would carry the same one, and the "
                               "replay counts events by messageId")
    if destination_file and not destination:
        raise click.UsageError("--destination-config needs --destination customerio")
    if scheduler and executor != "dask":
        raise click.UsageError("--scheduler needs --executor dask")
    settings = _object_file(destination_file, "destination config", "--destination-config must hold a JSON object")
    if destination == "customerio":
        from .customerio.preview import CUSTOMERIO_METADATA

        # As the destination's own request items say; --metadata (or an item's own) can say otherwise.
        metadata = {**CUSTOMERIO_METADATA, **(metadata or {})}
    given = manifest.of(_compiled(Path(contract_file))) if contract_file else None
    with _running(transformation):
        program = Transformation.from_path(transformation, engine=engine)
    reading, read_from = _reading(transformation, program.code, contract_file, given)
    job = Job(program.code, program.name, reading.names(), reading.dedupe_properties(), keep_outputs,
              ({"siteID": "SITE_ID", "apiKey": "API_KEY", **(settings or {})} if destination else None),
              engine=engine, reuse_contexts=not fresh_contexts)
    try:
        progress, people, failures = running.replay(
            job, list(inputs), out_dir, metadata=metadata, workers=workers or running.default_workers(),
            batch_size=batch_size, on_progress=running.progress_printer(), executor=executor, scheduler=scheduler)
    except replay.InputError as exc:
        raise click.UsageError(str(exc)) from exc
    except RuntimeError as exc:
        _fail(str(exc))
    except OSError as exc:
        # A file gen writes, or (with Dask) a scheduler it cannot reach.
        _fail(f"cannot write {exc.filename}: {exc.strerror}" if exc.filename else str(exc) or type(exc).__name__)
    click.echo("", err=True)
    try:
        con = reporting.build_database(out_dir)
        figures = reporting.figures(con, seconds=progress.seconds, request_failures=len(failures),
                                    interrupted=progress.interrupted,
                                    declared=reading.declared_properties(), people=people,
                                    reading=dict(reading.as_json(), source=read_from),
                                    failures=failures.as_json(), warnings=progress.warnings,
                                    stopped=progress.stopped, calls=progress.calls)
        con.close()
        if engine == "v8":
            node = v8.probe()
            figures["summary"]["engine"] = f"v8 {node.v8} (Node.js {node.node})"
        else:
            figures["summary"]["engine"] = engine
        reporting.write(out_dir, figures)
    except KeyboardInterrupt:
        for name in ("replay.duckdb", "replay.duckdb.wal"):
            (out_dir / name).unlink(missing_ok=True)  # half built
        click.echo(f"gen: interrupted while writing the report: {out_dir} holds the rows (events.ndjson, "
                   "outputs.ndjson) and no report", err=True)
        sys.exit(130)
    summary = figures["summary"]
    click.echo(f"{summary['events_in']:,} events in, {summary['outputs']:,} outputs, {summary['delivered']:,} "
               f"delivered, {summary['filtered']:,} filtered, {summary['failed']:,} failed, "
               f"{summary['request_failures']:,} request failures; {summary['seconds']:.1f} s "
               f"({summary['events_per_second'] or 0:,.0f} events/s). Report: {out_dir / 'report.md'}", err=True)
    for warning, count in progress.warnings.items():
        click.echo(f"gen: warning: {warning}" + (f" ({count:,} requests)" if count > 1 else ""), err=True)
    reasons = reporting.failed_conditions(list(fail_on), summary)
    for reason in reasons:
        click.echo(f"gen: fail-on: {reason}", err=True)
    if progress.stopped is not None:
        _fail(f"the replay stopped early: {progress.stopped}; the report covers the {summary['events_in']:,} "
              "events answered before", STOPPED)
    if progress.interrupted:
        sys.exit(130)
    sys.exit(1 if reasons else 0)


def _reading(transformation: str, code: str, contract_file: str | None,
             given: manifest.Manifest | None) -> tuple[manifest.Manifest, str]:
    """How replay reads the transformation's outputs, and from where: as the build says (its
    gen:replay lines), else as --contract says, else with gen's default names."""
    fallback = "as --contract says" if given is not None else (
        "with gen's default annotation names and the dedupe id `event_id`, listing the properties events carry "
        "(pass --contract for the contract's)")
    try:
        built = manifest.read(code)
    except manifest.BadManifest as exc:
        click.echo(f"gen: warning: {transformation}: {exc}; the report reads it {fallback}", err=True)
    else:
        if built is not None:
            if given is not None and given != built:
                click.echo(f"gen: warning: {transformation} was not built from {contract_file} (their annotation "
                           "names, dedupe ids or declared properties differ); the report reads it as it was built",
                           err=True)
            return built, "build"
        if given is None:
            click.echo(f"gen: warning: {transformation} does not say how gen built it (no "
                       f"`{manifest.MARK.strip()}` lines); the report reads it {fallback}", err=True)
    return (given, "contract") if given is not None else (manifest.DEFAULT, "defaults")


@main.command("diff")
@click.argument("old")
@click.argument("new", default="contract.yaml")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def diff_command(old: str, new: str, output_format: str) -> None:
    """What changed from OLD to NEW (contract files, or git refs such as main or v1:contract.yaml).

    Each change is breaking or compatible; a breaking one calls for a new major version.
    Exit codes: 0 NEW's version makes the bump its changes call for (or nothing changed);
    1 it does not; 2 a side cannot be read or has errors.
    """
    from . import diff

    try:
        before = diff.load(old)
        after = diff.load(new)
    except diff.DiffError as exc:
        _fail(str(exc))
    found = diff.changes(before, after)
    needed, made = diff.bump(before, after, found)
    if output_format == "json":
        click.echo(json.dumps({"changes": [{"breaking": c.breaking, "where": c.where, "what": c.what} for c in found],
                               "bump": needed, "version": {"old": before.version, "new": after.version},
                               "bump_made": made}, indent=2, ensure_ascii=False))
    else:
        for change in found:
            click.echo(str(change))
        verdict = "no change" if needed == "none" else (
            f"calls for a {needed} version bump ({before.version} → {after.version}: "
            f"{'made' if made else 'not made'})")
        click.echo(verdict)
    sys.exit(0 if made else 1)


@main.command("docs")
@click.argument("contract_file", metavar="[CONTRACT]", default="contract.yaml", type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["md", "html"]), default="md", show_default=True)
@click.option("--out", "out_file", metavar="FILE", help="Write here instead of stdout.")
def docs(contract_file: Path, output_format: str, out_file: str | None) -> None:
    """The plan for the people who build Customer.io segments and flows: events, properties, attributes, QA segments."""
    from . import catalogue

    model = _compiled(contract_file)
    page = catalogue.markdown(model) if output_format == "md" else catalogue.page(model)
    _output(page if page.endswith("\n") else page + "\n", out_file)


@main.command("schema")
@click.option("--out", "out_file", metavar="FILE", help="Write here instead of stdout.")
def schema_command(out_file: str | None) -> None:
    """The JSON Schema (2020-12) of contract.yaml, for editors (yaml-language-server) and other tools."""
    from .contract import schema

    _output(schema.text(), out_file)


@main.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--minimal", is_flag=True, help="Start from a one-event contract instead of the retail example.")
@click.option("--contract", "source", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Start from this contract instead.")
def init(directory: Path, minimal: bool, source: Path | None) -> None:
    """Set up a gen project in DIRECTORY: contract, generated code, sample events, fixtures, CI and pre-commit.

    Nothing is overwritten: if any of the files exists, nothing is written (exit 2).
    """
    from . import scaffold

    try:
        files = scaffold.plan(directory, minimal=minimal, source=source)
        written = scaffold.write(files)
    except scaffold.ScaffoldError as exc:
        _fail(str(exc))
    for path in written:
        click.echo(f"wrote {path}")
    click.echo("next: gen check" if directory == Path(".") else f"next: cd {directory} && gen check")


@main.command("check")
@click.argument("contract_file", metavar="[CONTRACT]", default="contract.yaml", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", default="generated", show_default=True, type=click.Path(path_type=Path),
              help="Where the generated files are.")
@click.option("--fixtures", "fixture_paths", multiple=True, type=click.Path(path_type=Path),
              help="Fixture files or directories (default: tests/fixtures, else the current directory).")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "junit", "github"]),
              default="text", show_default=True)
@click.option("--against", "against", metavar="GIT_REF",
              help="Also fail on a breaking change since GIT_REF without a new major version (see gen diff).")
@_engine_option()
def check(contract_file: Path, out_dir: Path, fixture_paths: tuple[Path, ...], output_format: str,
          against: str | None, engine: str | None) -> None:
    """The one CI command: CONTRACT is valid, OUT is what it renders, and every fixture case passes.

    Exit codes: 0 all passed; 1 a generated file is stale, a case failed, or no case was
    found; 2 the contract has errors. --format github prints workflow annotations at
    file:line:col and appends a summary to $GITHUB_STEP_SUMMARY.
    """
    from . import check as checking

    targets = _fixture_targets(fixture_paths)
    report = checking.run(contract_file, out_dir, targets, engine)
    if against:
        report.items.append(checking.against(against, contract_file))
    writer = {"text": checking.text, "json": checking.as_json, "junit": checking.junit,
              "github": checking.github}[output_format]
    click.echo(writer(report), nl=False)
    if output_format == "github":
        checking.write_step_summary(report)
    sys.exit(report.exit_code)


@main.command("push")
@click.argument("contract_file", metavar="[CONTRACT]", default="contract.yaml", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", default="generated", show_default=True, type=click.Path(path_type=Path),
              help="Where the generated files are.")
@click.option("--fixtures", "fixture_paths", multiple=True, type=click.Path(path_type=Path),
              help="Fixture files or directories gen check runs (default: tests/fixtures, else the current directory).")
@click.option("--name", help="The transformation's name in RudderStack (default: the contract's name).")
@click.option("--api-url", envvar="RUDDERSTACK_API_URL", metavar="URL",
              help="The API's base URL (default: $RUDDERSTACK_API_URL, else the --region's).")
@click.option("--region", type=click.Choice(sorted(push_api.REGIONS)), default="us", show_default=True,
              help="The workspace's region, when --api-url is not given.")
@click.option("--publish", is_flag=True, help="Publish the pushed revision: it goes live on connected destinations.")
@click.option("--dry-run", is_flag=True, help="Send no write: print the requests push would send.")
@click.option("--timeout", type=click.FloatRange(0, 600, min_open=True), default=30.0, show_default=True,
              help="Seconds to wait for each API answer.")
@_engine_option()
def push_command(contract_file: Path, out_dir: Path, fixture_paths: tuple[Path, ...], name: str | None,
                 api_url: str | None, region: str, publish: bool, dry_run: bool, timeout: float,
                 engine: str | None) -> None:
    """Run gen check, then upload OUT's transformation to RudderStack (unpublished unless --publish).

    The token comes from $RUDDERSTACK_ACCESS_TOKEN only. The transformation is found by
    name; a new revision is added only when its code differs, always with publish=false;
    --publish then publishes that exact revision. Exit codes: 0 pushed, up to date, or
    dry run; 1 gen check failed and nothing was sent; 2 usage error (no token); 3 the
    API refused a request or could not be reached.
    """
    import os

    from . import check as checking
    from . import push as pushing

    base_url = (api_url or pushing.REGIONS[region]).rstrip("/")
    problem = pushing.url_problem(base_url)
    if problem:
        _fail(problem)
    token = os.environ.get(pushing.TOKEN_VARIABLE, "").strip()
    if not token and not dry_run:
        _fail(f"set {pushing.TOKEN_VARIABLE} to a RudderStack access token (a workspace Service Access Token "
              "with the Transformations permissions); it is never read from a flag")
    targets = _fixture_targets(fixture_paths)
    prepared = pushing.prepare(contract_file, out_dir, targets, name=name, engine=engine)
    if prepared.upload is None:
        click.echo(checking.text(prepared.report), nl=False, err=True)
        click.echo("gen push: gen check failed; nothing was sent", err=True)
        sys.exit(prepared.report.exit_code)
    upload = prepared.upload
    counts = prepared.report.counts
    click.echo(f"gen check: {counts['passed']} passed; pushing {upload.source} as {upload.name!r} to {base_url}",
               err=True)
    client = pushing.Client(base_url, token, timeout=timeout) if token else None
    try:
        outcome = pushing.push(upload, client, publish=publish, dry_run=dry_run,
                               say=lambda line: click.echo(line, err=True))
    except pushing.ApiError as exc:
        _fail(f"RudderStack API: {exc}", 3)
    except pushing.PushError as exc:
        _fail(str(exc), 3)
    if dry_run:
        for request in outcome.requests:
            sent = request.writes is False and client is not None
            click.echo(("# sent (read-only)\n" if sent else "# not sent\n") + pushing.show(request, base_url, upload))
        if not outcome.writes:
            click.echo(f"# nothing to write: {upload.name!r} is up to date")
        return
    where = f"transformation {outcome.transformation_id}, revision {outcome.version_id}"
    if outcome.action == "created":
        click.echo(f"created {upload.name!r} ({where}), unpublished")
    elif outcome.action == "revised":
        click.echo(f"added a revision to {upload.name!r} ({where}), unpublished")
    else:
        state = "published" if outcome.published else "not published (gen push --publish makes it live)"
        click.echo(f"{upload.name!r} is up to date ({where}, {state}); nothing was written")
    if publish and outcome.writes and outcome.writes[-1].path.endswith("/publish"):
        click.echo(f"published revision {outcome.version_id}: it now runs on the destinations connected to it")


@main.group("export")
def export_group() -> None:
    """The plan in another tool's format."""


@export_group.command("rudder-cli")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--contract", "contract_file", default="contract.yaml", show_default=True,
              type=click.Path(path_type=Path), help="The contract.")
@click.option("--out", "out_dir", default="generated", show_default=True, type=click.Path(path_type=Path),
              help="Where the generated files are.")
@click.option("--fixtures", "fixture_paths", multiple=True, type=click.Path(path_type=Path),
              help="Fixture files or directories to turn into tests (default: tests/fixtures, else the current "
                   "directory).")
@click.option("--name", help="The transformation's name in RudderStack (default: the contract's name).")
@_engine_option()
def export_rudder_cli(directory: Path, contract_file: Path, out_dir: Path, fixture_paths: tuple[Path, ...],
                      name: str | None, engine: str | None) -> None:
    """Write a rudder-cli project (rudder/v1 YAML) for the plan into DIRECTORY.

    A transformation spec with the generated code and test suites built from the
    fixtures (input/output folders of JSON), and the tracking plan with its events,
    properties, categories and custom types. DIRECTORY/GEN-EXPORT.md lists what only
    the transformation enforces. Files gen did not write are left alone. Exit codes: 0
    written; 1 a fixture fails or generated/ is stale; 2 usage or contract error.
    """
    from . import export

    targets = _fixture_targets(fixture_paths)
    _compiled(contract_file)  # contract errors as diagnostics, exit 2
    try:
        exported = export.rudder_cli(contract_file, out_dir, targets, name=name, engine=engine)
        written = export.write(exported, directory)
    except export.ExportError as exc:
        _fail(str(exc), 1)
    except OSError as exc:
        _fail(f"cannot write {exc.filename or directory}: {exc.strerror}")
    click.echo(f"wrote {len(written)} file(s) under {directory} ({exported.tests} test(s) from the fixtures)")
    for reason in exported.skipped:
        click.echo(f"not exported: {reason}", err=True)
    click.echo(f"what only the transformation enforces: {directory / 'GEN-EXPORT.md'}")


@main.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--update", is_flag=True, help="Write golden files (and rudder-cli output files) from this run.")
@_engine_option()
def test_command(paths: tuple[Path, ...], update: bool, engine: str | None) -> None:
    """Run fixture files and rudder-cli test suites (default: tests/fixtures, else the current directory)."""
    targets = _fixture_targets(paths)
    passed = failed = updated = 0
    try:
        files = fixtures.discover(targets)
    except fixtures.FixtureError as exc:
        _fail(str(exc))
    for file in files:
        try:
            cases = fixtures.load(file)
        except fixtures.FixtureError as exc:
            failed += 1
            click.echo(f"ERROR {file}\n    {exc}\n")
            continue
        for case in cases:
            outcome = fixtures.run_case(case, update=update, engine=engine)
            if outcome.updated:
                updated += 1
            if outcome.passed:
                passed += 1
                continue
            failed += 1
            click.echo(f"FAIL {case.id}\n{outcome.report}\n")
    if updated:
        click.echo(f"updated {updated} expected-output file(s)")
    if not passed and not failed:
        click.echo(f"no fixture cases found in {', '.join(map(str, targets))}: nothing was tested")
        sys.exit(1)
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
