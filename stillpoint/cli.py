"""The `stillpoint` command line (click)."""

from __future__ import annotations

import json
import logging
import shutil
import sys
from pathlib import Path

import click

from .config import ConfigError, Settings, data_dir, load_settings

EXIT_USAGE = 2


class Context:
    def __init__(self, config_path: str | None, verbose: int):
        self.config_path = config_path
        self.verbose = verbose
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"stillpoint: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="A YAML file of settings (see config.yaml).")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.version_option(package_name="stillpoint")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, verbose: int) -> None:
    """Stillpoint: a local, private voice companion for reflection between therapy sessions.

    It is an AI, not a therapist. Everything runs and stays on this machine.
    """
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if verbose < 2:
        for noisy in ("faster_whisper", "httpx", "httpcore", "openai", "piper"):
            logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    ctx.obj = Context(config_path, verbose)


def _settings(ctx: Context) -> Settings:
    try:
        return ctx.settings
    except ConfigError as error:
        _fail(str(error), EXIT_USAGE)
        raise  # unreachable


@main.command()
@click.option("--input", "input_path", type=click.Path(), help="Talk from a recording instead of the microphone.")
@click.option("--output", "output_path", type=click.Path(dir_okay=False), help="Write the conversation as heard to this WAV.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per turn.")
@click.option("--no-barge-in", is_flag=True, help="Don't let speech interrupt replies (open speakers, no echo cancelling).")
@click.option("--backend", type=click.Choice(["embedded", "ollama", "openai"]), help="Override llm.backend for this run.")
@click.option("--max-turns", type=click.IntRange(min=1), help="Live: stop after answering this many turns.")
@click.pass_obj
def talk(ctx: Context, input_path, output_path, as_json, no_barge_in, backend, max_turns) -> None:
    """Have a spoken conversation (microphone and speaker, or --input FILE --output REPLY.wav)."""
    from dialogue.store import StoreError
    from voice.errors import VoiceError

    from .components import Progress, build_pipeline, open_store
    from .reporting import TurnPrinter

    settings = _settings(ctx)
    barge_in = settings.conversation.barge_in and not no_barge_in
    printer = TurnPrinter(sys.stdout, as_json=as_json)
    try:
        if input_path:
            from voice.sources import FileSource

            FileSource(input_path)  # a bad file fails here, before any model loads
            if not output_path:
                output_path = str(Path(input_path).with_suffix("")) + ".reply.wav"
            store = open_store(settings)
            pipeline = build_pipeline(settings, Progress(), backend)
            from .recording_loop import run_recording

            result = run_recording(pipeline, store, input_path, output_path, barge_in=barge_in, on_turn=printer)
            if not any(r.speaker == "user" for r in result.reports):
                click.echo(f"No speech was heard in {input_path}; nothing to answer.", err=True)
            click.echo(f"Conversation written to {output_path} (session {result.session_id}).", err=True)
            return
        if output_path:
            _fail("--output needs --input; the live loop plays replies on the speaker.", EXIT_USAGE)
        _talk_live(settings, backend, barge_in, printer, max_turns)
    except (VoiceError, StoreError, ConfigError) as error:
        _fail(str(error))


def _talk_live(settings: Settings, backend, barge_in: bool, printer, max_turns) -> None:
    from voice.sinks import SpeakerSink
    from voice.sources import MicrophoneSource
    from voice.tts import voice_sample_rate

    from .components import Progress, build_pipeline, open_store
    from .live_loop import LiveConversation

    microphone = MicrophoneSource(settings.audio.input_device)  # no microphone fails here, before models load
    speaker = SpeakerSink(voice_sample_rate(settings.tts.voice), settings.audio.output_device)
    store = open_store(settings)
    pipeline = build_pipeline(settings, Progress(), backend)
    click.echo(
        f"Listening on '{microphone.device_name}'. I'm an AI companion, not a therapist. Ctrl-C to stop.",
        err=True,
    )
    conversation = LiveConversation(
        pipeline, store, microphone, speaker, barge_in=barge_in, on_turn=printer, max_turns=max_turns
    )
    try:
        conversation.run()
    finally:
        microphone.close()
        speaker.close()


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def sessions(ctx: Context, as_json: bool) -> None:
    """List saved sessions."""
    from .components import open_store

    store = open_store(_settings(ctx))
    rows = store.sessions()
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in rows]))
        return
    if not rows:
        click.echo("No sessions yet.")
    for r in rows:
        click.echo(f"{r.id:4d}  {r.started_at}  {r.turns:3d} turns  {r.user_words:5d} words  {r.source}")


def _session_id(store, ref: str) -> int:
    if ref == "last":
        last = store.last_session_id()
        if last is None:
            _fail("There are no sessions yet.")
        return last
    try:
        session_id = int(ref)
    except ValueError:
        _fail(f"'{ref}' is not a session number (or 'last'); see `stillpoint sessions`.", EXIT_USAGE)
    if not store.session_exists(session_id):
        _fail(f"There is no session {session_id}; see `stillpoint sessions`.")
    return session_id


@main.command()
@click.argument("session")
@click.pass_obj
def show(ctx: Context, session: str) -> None:
    """Show a session's transcript with its pauses, e.g. `… (1.4 s) …`. SESSION is a number or 'last'."""
    from .components import open_store
    from .transcript import render_session

    store = open_store(_settings(ctx))
    for line in render_session(store, _session_id(store, session)):
        click.echo(line)


@main.command()
@click.argument("sessions_", metavar="SESSION...", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="Markdown file to write.")
@click.option("--transcript", is_flag=True, help="Include the full transcripts, not just summaries and cues.")
@click.pass_obj
def export(ctx: Context, sessions_: tuple[str, ...], output: str, transcript: bool) -> None:
    """Export the sessions you choose (numbers, or 'last') into a summary to bring to your therapist."""
    from dialogue.crisis import CrisisResources

    from .components import open_store
    from .export import render, write_private

    settings = _settings(ctx)
    store = open_store(settings)
    ids = list(dict.fromkeys(_session_id(store, ref) for ref in sessions_))
    resources = CrisisResources.for_region(settings.safety.region, settings.safety.resources).text

    def progress(done: int, total: int) -> None:
        click.echo(f"\rExporting session {done} of {total}…", nl=done == total, err=True)

    text = render(store, ids, transcript=transcript, resources_text=resources, progress=progress)
    try:
        write_private(Path(output), text)
    except OSError as error:
        _fail(f"Could not write {output}: {error.strerror}")
    click.echo(f"Wrote {output} ({len(ids)} session{'s' if len(ids) != 1 else ''}).", err=True)


@main.command()
@click.argument("session", required=False)
@click.option("--all", "everything", is_flag=True, help="Erase every session and the whole data directory.")
@click.confirmation_option(prompt="This permanently deletes what you said. Continue?")
@click.pass_obj
def erase(ctx: Context, session: str | None, everything: bool) -> None:
    """Erase one session (number or 'last') or, with --all, everything Stillpoint has stored."""
    settings = _settings(ctx)
    if everything:
        home = data_dir(settings)
        if home.exists():
            shutil.rmtree(home)
        click.echo(f"Erased {home}.")
        return
    if not session:
        _fail("Name a session to erase, or use --all.", EXIT_USAGE)
    from .components import open_store

    store = open_store(settings)
    session_id = _session_id(store, session)
    store.erase_session(session_id)
    click.echo(f"Erased session {session_id}.")


@main.command()
@click.option("--session", "session_ref", help="A session number or 'last' (default: all sessions).")
@click.option("--json", "as_json", is_flag=True, help="A JSON list of cues.")
@click.option("--dismiss", "dismiss_id", type=int, help="Never bring this cue up again.")
@click.pass_obj
def cues(ctx: Context, session_ref: str | None, as_json: bool, dismiss_id: int | None) -> None:
    """Reflection cues: the silences Stillpoint noticed, with what was said around them."""
    from .components import open_store

    store = open_store(_settings(ctx))
    if dismiss_id is not None:
        if not store.dismiss_cue(dismiss_id):
            _fail(f"There is no cue {dismiss_id}; see `stillpoint cues`.")
        click.echo(f"Cue {dismiss_id} will not be brought up again.")
        return
    session_id = _session_id(store, session_ref) if session_ref else None
    found = store.cues(session_id)
    if as_json:
        click.echo(json.dumps([
            {"id": c.id, "session": c.session_id, "kind": c.cue.kind, "start_s": round(c.cue.start_s, 3),
             "duration_s": round(c.cue.duration_s, 3), "band": c.cue.band, "before": c.cue.before, "after": c.cue.after,
             "companion_said": c.cue.companion_said, "topics": list(c.cue.topics), "dismissed": c.dismissed,
             "revisited": c.revisited}
            for c in found
        ]))
        return
    if not found:
        click.echo("No cues yet.")
    for c in found:
        cue = c.cue
        state = " (dismissed)" if c.dismissed else " (revisited)" if c.revisited else ""
        click.echo(f"#{c.id} session {c.session_id} at {cue.start_s:.1f}s: {cue.kind.replace('_', ' ')}, "
                   f"{cue.duration_s:.1f} s ({cue.band}){state}")
        if cue.companion_said:
            click.echo(f"    stillpoint had said: {cue.companion_said}")
        click.echo(f"    before: …{cue.before}")
        if cue.after:
            click.echo(f"    after:  {cue.after}…")


@main.command()
@click.pass_obj
def themes(ctx: Context) -> None:
    """What you have come back to across your recent sessions, and each session's summary."""
    from dialogue.memory import themes as find_themes

    from .components import open_store

    store = open_store(_settings(ctx))
    texts = store.user_texts_by_session()
    found = find_themes(texts)
    if not found:
        click.echo("No recurring themes yet.")
    for theme in found[:8]:
        click.echo(theme.spoken())
    for summary in store.sessions()[-4:]:
        text = store.summary(summary.id)
        if text:
            click.echo(f"session {summary.id}: {text}")


@main.command()
@click.option("--port", default=8765, show_default=True, help="Port on 127.0.0.1 (this computer only).")
@click.pass_obj
def serve(ctx: Context, port: int) -> None:
    """Open your sessions, silences and summaries in a browser, on this computer only."""
    import uvicorn

    from dialogue.crisis import CrisisResources

    from .components import open_store
    from .web import create_app

    settings = _settings(ctx)
    resources = CrisisResources.for_region(settings.safety.region, settings.safety.resources).text
    app = create_app(open_store(settings), resources)
    click.echo(f"Stillpoint is at http://127.0.0.1:{port}/ (Ctrl-C to stop).", err=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning" if ctx.verbose == 0 else "info")


@main.command("safety-check")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line: text, level, reason, evidence.")
def safety_check(as_json: bool) -> None:
    """Assess utterances read one per line from stdin: none, concern or acute, with the reason.

    For clinicians auditing what Stillpoint treats as crisis language. Rules only; no model.
    """
    from dialogue.safety import assess

    for line in sys.stdin:
        text = line.rstrip("\n")
        if not text.strip():
            continue
        result = assess(text)
        if as_json:
            click.echo(json.dumps({"text": text, "level": result.level, "reason": result.reason, "evidence": result.evidence}))
        else:
            why = f"  ({result.reason}: \"{result.evidence}\")" if result.flagged else ""
            click.echo(f"{result.level:<7} {text}{why}")


@main.command()
@click.pass_obj
def doctor(ctx: Context) -> None:
    """Check models, audio devices, the language-model backend and the data directory."""
    from .doctor import run_checks

    problems = 0
    for check in run_checks(ctx.config_path):
        mark = "ok  " if check.ok else "FAIL"
        click.echo(f"[{mark}] {check.name}: {check.detail}")
        if not check.ok:
            problems += 1
            click.echo(f"       fix: {check.fix}")
    sys.exit(1 if problems else 0)


from .chat_cli import register as _register_chat  # noqa: E402  (typed chat, issue 9)

_register_chat(main)

if __name__ == "__main__":
    main()
