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


def explain(error: BaseException) -> str:
    """One line a person can act on, for any error that reaches the command line."""
    from dialogue.store import StoreError
    from voice.errors import VoiceError

    from .output_files import OutputError

    if isinstance(error, (StoreError, VoiceError, ConfigError, OutputError)):
        return str(error)
    if isinstance(error, OSError) and error.strerror:
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror}."
    return f"unexpected {type(error).__name__}: {error} (run with -v to see where it happened)."


class StillpointGroup(click.Group):
    """Every error becomes one clear line on stderr (exit 1); the traceback is shown only with -v."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, KeyboardInterrupt):
            raise
        except Exception as error:
            verbose = ctx.obj.verbose if isinstance(ctx.obj, Context) else 0
            if verbose:
                import traceback

                traceback.print_exc()
            _fail(explain(error))


@click.group(cls=StillpointGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="A YAML file of settings (see config.yaml).")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.version_option(package_name="stillpoint")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, verbose: int) -> None:
    """Stillpoint: a local, private voice companion for reflection between therapy sessions.

    It is an AI, not a therapist. Everything runs and stays on this machine.
    """
    from .offline import set_offline_environment

    set_offline_environment()
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

    from .engine.components import Progress, build_pipeline, open_store
    from .engine.reporting import TurnPrinter
    from .output_files import OutputError

    settings = _settings(ctx)
    barge_in = settings.conversation.barge_in and not no_barge_in
    printer = TurnPrinter(sys.stdout, as_json=as_json)
    try:
        if input_path:
            from voice.sources import FileSource

            from .engine.conversation import ConversationSettings
            from .engine.recording import run_recording
            from .output_files import AtomicOutput

            FileSource(input_path)  # a bad file fails here, before any model loads
            if not output_path:
                output_path = str(Path(input_path).with_suffix("")) + ".reply.wav"
            store = open_store(settings)
            with AtomicOutput(output_path, not_same_as=[input_path, store.path]) as reply:  # checked before models load
                pipeline = build_pipeline(settings, Progress(), backend)
                result = run_recording(pipeline, store, input_path, reply.temp,
                                       settings=ConversationSettings(barge_in=barge_in), on_event=printer)
                if not any(r.speaker == "user" for r in result.reports):
                    store.discard_if_empty(result.session_id)
                    click.echo(f"No speech was heard in {input_path}; nothing was saved and no reply file was written.",
                               err=True)
                    return
                reply.commit()
            click.echo(f"Conversation written to {output_path} (session {result.session_id}).", err=True)
            return
        if output_path:
            _fail("--output needs --input; the live loop plays replies on the speaker.", EXIT_USAGE)
        _talk_live(settings, backend, barge_in, printer, max_turns)
    except (VoiceError, StoreError, ConfigError, OutputError) as error:
        _fail(str(error))


def _talk_live(settings: Settings, backend, barge_in: bool, printer, max_turns) -> None:
    from voice.sinks import SpeakerSink
    from voice.sources import MicrophoneSource
    from voice.tts import voice_sample_rate

    from .engine.components import Progress, build_pipeline, open_store
    from .engine.conversation import ConversationSettings
    from .engine.live import run_live

    microphone = MicrophoneSource(settings.audio.input_device)  # no microphone fails here, before models load
    speaker = SpeakerSink(voice_sample_rate(settings.tts.voice), settings.audio.output_device)
    store = open_store(settings)
    pipeline = build_pipeline(settings, Progress(), backend)
    click.echo(
        f"Listening on '{microphone.device_name}'. I'm an AI companion, not a therapist. Ctrl-C to stop.",
        err=True,
    )
    conversation = None
    try:
        conversation = run_live(pipeline, store, microphone, speaker,
                                settings=ConversationSettings(barge_in=barge_in, speaks_first=True),
                                on_event=printer, max_turns=max_turns)
    finally:
        microphone.close()
        speaker.close()
    if store.discard_if_empty(conversation.session_id):  # nothing was said: nothing to keep
        click.echo("Nothing was said; no session was saved.", err=True)


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def sessions(ctx: Context, as_json: bool) -> None:
    """List saved sessions."""
    from .engine.components import open_store

    store = open_store(_settings(ctx), readonly=True)
    rows = store.sessions()
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in rows]))
        return
    if not rows:
        click.echo("No sessions yet.")
    for r in rows:
        mark = "  (interrupted)" if r.interrupted else ""
        click.echo(f"{r.id:4d}  {r.started_at}  {r.turns:3d} turns  {r.user_words:5d} words  {r.source}{mark}")


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
    from .engine.components import open_store
    from .transcript import render_session

    store = open_store(_settings(ctx), readonly=True)
    for line in render_session(store, _session_id(store, session)):
        click.echo(line)


@main.command()
@click.argument("sessions_", metavar="[SESSION...]", nargs=-1)
@click.option("--since", help="Every session from this far back: 2w, 10d, 3m, 1y, or a date like 2026-11-01.")
@click.option("--format", "fmt", help="md, html or pdf (default: from the file name, else md).")
@click.option("--include", help="Comma-separated: summaries,themes,cues,moods,transcripts,safety "
              "(default: all but transcripts).")
@click.option("--excerpt", "excerpts", type=int, multiple=True, help="A turn to quote, by its # from `stillpoint search` (repeatable).")
@click.option("--redact", is_flag=True, help="Replace the names you said with [name].")
@click.option("--model-summary", is_flag=True, help="Add a summary written by the configured language model (ollama/openai), "
              "after you approve it.")
@click.option("--transcript", is_flag=True, help="Include the full transcripts (same as adding 'transcripts' to --include).")
@click.option("--dry-run", is_flag=True, help="Only list what the file would contain.")
@click.option("-o", "--out", "--output", "out", type=click.Path(), required=True, help="The file to write (.md, .html or .pdf).")
@click.pass_obj
def export(ctx: Context, sessions_: tuple[str, ...], since, fmt, include, excerpts, redact, model_summary, transcript,
           dry_run, out) -> None:
    """Export what you choose to bring to your therapist: `--since 2w` or SESSION numbers, as md, html or pdf."""
    from dialogue.crisis import CrisisResources

    from .digest import DigestError, gather, parse_since, sessions_since
    from .engine.components import open_store
    from .export import ExportError, ExportOptions, check_writable, format_for, parse_include, plan, render_files, write_atomic

    settings = _settings(ctx)
    path = Path(out)
    try:
        chosen_format = format_for(fmt, path)
        parts = parse_include(include) | ({"transcripts"} if transcript else set())
        if bool(sessions_) == bool(since):
            _fail("Choose the sessions: `--since 2w` or session numbers (e.g. `export 3 4 -o notes.pdf`).", EXIT_USAGE)
        store = open_store(settings, readonly=True)
        if not dry_run:
            check_writable(path, not_same_as=[store.path])
        start = parse_since(since) if since else None
        ids = sessions_since(store, start) if start else list(dict.fromkeys(_session_id(store, r) for r in sessions_))

        def progress(done: int, total: int) -> None:
            click.echo(f"\rExporting session {done} of {total}…", nl=done == total, err=True)

        digest = gather(store, ids, since=start, progress=progress)
        options = ExportOptions(
            include=frozenset(parts), redact=redact, excerpts=tuple(excerpts),
            resources_text=CrisisResources.for_region(settings.safety.region, settings.safety.resources).text,
        )
        if model_summary:
            options = _approved_model_summary(settings, store, digest, options)
        click.echo(f"{path} will contain:", err=True)
        for line in plan(digest, options):
            click.echo(f"  - {line}", err=True)
        if dry_run:
            return
        files = render_files(store, digest, options, chosen_format, path, step=lambda label: click.echo(f"{label}…", err=True))
        write_atomic(files)
    except (ExportError, DigestError) as error:
        _fail(str(error))
    names = ", ".join(str(p) for p in files)
    click.echo(f"Wrote {names} ({len(ids)} session{'s' if len(ids) != 1 else ''}).", err=True)


def _approved_model_summary(settings: Settings, store, digest, options):
    """A model-written summary of exactly what will be shared, shown for approval first."""
    from dataclasses import replace

    from .engine.components import build_backend
    from .export import markdown
    from .model_summary import CAPABLE_BACKENDS, ModelSummaryUnavailable, write_summary

    if settings.llm.backend not in CAPABLE_BACKENDS:
        click.echo("No larger language model is configured (llm.backend is 'embedded'); the summary stays in your own "
                   "words.", err=True)
        return options
    backend = build_backend(settings.llm)
    try:
        text = write_summary(backend, markdown(store, digest, options))
    except ModelSummaryUnavailable as error:
        click.echo(str(error), err=True)
        return options
    finally:
        backend.close()
    click.echo(f"Summary written by {backend.name}:\n\n{text}\n", err=True)
    if not click.confirm("Put this summary in the file (marked as written by a model)?", default=False, err=True):
        click.echo("Left out; the file keeps the summaries in your own words.", err=True)
        return options
    return replace(options, model_summary=text, model_name=backend.name)


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
        if home.exists() and not home.is_dir():
            _fail(f"The data folder {home} is not a folder; nothing was erased.")
        if home.exists():
            shutil.rmtree(home)
        click.echo(f"Erased {home}.")
        return
    if not session:
        _fail("Name a session to erase, or use --all.", EXIT_USAGE)
    from .engine.components import open_store

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
    from .engine.components import open_store

    store = open_store(_settings(ctx), readonly=dismiss_id is None)
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

    from .engine.components import open_store

    store = open_store(_settings(ctx), readonly=True)
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
@click.option("--port", default=8765, show_default=True, help="The port to listen on.")
@click.option("--lan", is_flag=True, help="Also serve your home network over https, with a private link (for a phone).")
@click.option("--new-token", is_flag=True, help="With --lan: make a new private link (the old one stops working).")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Also answer to this host name (127.0.0.1, localhost and [::1] always work).")
@click.option("--backend", type=click.Choice(["embedded", "ollama", "openai"]), help="Override llm.backend.")
@click.pass_obj
def serve(ctx: Context, port: int, lan: bool, new_token: bool, allow_hosts: tuple[str, ...], backend) -> None:
    """Talk, breathe and journal in a browser; your sessions, silences and summaries beside them.

    Without --lan it listens on 127.0.0.1 (this computer only).
    """
    from dialogue.store import StoreError
    from voice.errors import VoiceError

    from .page.serve import run

    if new_token and not lan:
        _fail("--new-token goes with --lan.", EXIT_USAGE)
    try:
        run(_settings(ctx), port, lan, new_token, ctx.verbose, backend, allow_hosts=allow_hosts)
    except (VoiceError, StoreError, ConfigError, OSError) as error:
        _fail(str(error))


@main.command("safety-check")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line: the level acted on, then each layer's own.")
@click.option("--rules-only", is_flag=True, help="Skip the semantic layer (no model is loaded).")
def safety_check(as_json: bool, rules_only: bool) -> None:
    """Assess utterances read one per line from stdin: none, concern or acute, with the reason.

    For clinicians auditing what Stillpoint treats as crisis language: shows the rules' verdict
    and the semantic layer's (level, scores, reason) separately, and the level acted on (the
    higher of the two). Runs locally; nothing leaves the machine.
    """
    from dialogue.safety import assess_layers

    for line in sys.stdin:
        text = line.rstrip("\n")
        if not text.strip():
            continue
        # -- safety (#11): both layers, shown apart so a clinician can see which said what
        layered = assess_layers(text, semantic=not rules_only)
        final, rules, semantic = layered.final, layered.rules, layered.semantic
        if as_json:
            click.echo(json.dumps({
                "text": text, "level": final.level, "reason": final.reason, "evidence": final.evidence,
                "someone_else": final.someone_else,  # acute, and the person at risk now is a third party
                "rules": {"level": rules.level, "reason": rules.reason, "evidence": rules.evidence,
                          "set_aside": rules.set_aside},
                "classifier": None if semantic is None else {
                    "level": semantic.level, "flag_score": semantic.flag_score, "acute_score": semantic.acute_score,
                    "reason": semantic.reason, "note": layered.semantic_note},
            }))
        else:
            why = f"  ({final.reason}: \"{final.evidence}\")" if final.evidence else f"  ({final.reason})" if final.flagged else ""
            layer = "" if semantic is None else f"  [rules {rules.level}; classifier {semantic.level} {semantic.flag_score:.2f}/{semantic.acute_score:.2f}]"
            click.echo(f"{final.level:<7} {text}{why}{layer}")


@main.command()
@click.option("--repair", is_flag=True, help="Recover what is readable from a damaged database (it is kept as it was).")
@click.pass_obj
def doctor(ctx: Context, repair: bool) -> None:
    """Check models, audio devices, the language-model backend and the data directory."""
    from .doctor import repair as repair_database
    from .doctor import run_checks

    if repair:
        for line in repair_database(_settings(ctx)):
            click.echo(line)
        return

    problems = 0
    for check in run_checks(ctx.config_path):
        mark = "ok  " if check.ok else "FAIL"
        click.echo(f"[{mark}] {check.name}: {check.detail}")
        if not check.ok:
            problems += 1
            click.echo(f"       fix: {check.fix}")
    sys.exit(1 if problems else 0)


from .breathe_command import breathe  # noqa: E402  (guided breathing, issue 12)

main.add_command(breathe)


# == Journal: journal, search, summary (issue 13) ================================================
@main.command()
@click.argument("query")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="A JSON list of matches.")
@click.pass_obj
def search(ctx: Context, query: str, limit: int, as_json: bool) -> None:
    """Find words in everything you have said: `stillpoint search "sister"` (dates, snippets, turn numbers)."""
    from .engine.components import open_store
    from .digest import when

    hits = open_store(_settings(ctx)).search(query, limit=limit)
    if as_json:
        click.echo(json.dumps([h.__dict__ for h in hits]))
        return
    if not hits:
        click.echo(f"Nothing found for \u201c{query}\u201d.")
    for h in hits:
        who = "you" if h.speaker == "user" else "stillpoint"
        click.echo(f"#{h.turn_id:<5d} {when(h.started_at)}  session {h.session_id} at {h.start_s:.0f}s  {who}: {h.snippet}")


@main.command()
@click.option("--week", "span", flag_value="1w", default=True, help="The last seven days (the default).")
@click.option("--since", "span", help="Another span: 2w, 10d, 1m, or a date.")
@click.option("--speak", is_flag=True, help="Also say it aloud (to the speaker, or to --output).")
@click.option("--output", "output_path", type=click.Path(dir_okay=False), help="With --speak: write the spoken summary to this WAV.")
@click.pass_obj
def summary(ctx: Context, span: str, speak: bool, output_path: str | None) -> None:
    """Your week: entries, moods, recurring themes and the silences not yet revisited."""
    from .digest import DigestError, gather, parse_since, sessions_since, summary_lines
    from .engine.components import open_store

    settings = _settings(ctx)
    if output_path and not speak:
        _fail("--output is for the spoken summary; add --speak.", EXIT_USAGE)
    store = open_store(settings)
    try:
        start = parse_since(span)
        lines = summary_lines(gather(store, sessions_since(store, start), since=start))
    except DigestError as error:
        _fail(str(error))
    for line in lines:
        click.echo(line)
    if speak:
        from voice.errors import VoiceError

        from .export import ExportError
        from .spoken_summary import speak_lines

        try:
            speak_lines(settings, lines, output_path)
        except (VoiceError, OSError, ExportError) as error:
            _fail(f"Could not speak the summary: {error}")
        if output_path:
            click.echo(f"Spoken summary written to {output_path}.", err=True)


@main.command()
@click.option("--input", "input_path", type=click.Path(), help="A voice memo (.wav, .m4a, .mp3…) to keep as an entry.")
@click.option("--output", "output_path", type=click.Path(dir_okay=False), help="With --input: the entry as heard, with the "
              "companion's acknowledgements, as a WAV (default: MEMO.reply.wav).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per turn.")
@click.pass_obj
def journal(ctx: Context, input_path, output_path, as_json) -> None:
    """Journal aloud: one opening prompt, then Stillpoint mostly listens. Say "I'm done" to close the entry."""
    from dialogue.store import StoreError
    from voice.errors import VoiceError

    from .engine.components import Progress, build_pipeline, open_store
    from .engine.reporting import TurnPrinter
    from .journal import choose_opening, conversation_settings, journal_pipeline
    from .transcript import render_session

    settings = _settings(ctx)
    printer = TurnPrinter(sys.stdout, as_json=as_json)
    try:
        if input_path:
            from voice.sources import FileSource

            from .engine.recording import run_recording

            FileSource(input_path)  # a bad file fails here, before any model loads
            output_path = output_path or str(Path(input_path).with_suffix("")) + ".reply.wav"
            store = open_store(settings)
            pipeline = journal_pipeline(build_pipeline(settings, Progress()), settings, store)
            result = run_recording(pipeline, store, input_path, output_path, settings=conversation_settings(),
                                   on_event=printer)
            session_id, prompt = result.session_id, ""  # nobody heard a prompt before a memo
        else:
            if output_path:
                _fail("--output needs --input; live, the acknowledgements play on the speaker.", EXIT_USAGE)
            store = open_store(settings)
            prompt, _ = choose_opening(store)
            session_id = _journal_live(settings, store, prompt, printer)
    except (VoiceError, StoreError, ConfigError) as error:
        _fail(str(error))
    if not any(t.speaker == "user" for t in store.turns(session_id)):
        click.echo("Nothing was heard; the entry is empty.", err=True)
        return
    store.set_journal_entry(session_id, prompt=prompt)
    entry = store.journal_entry(session_id)
    if not as_json:
        click.echo("", err=True)
        for line in render_session(store, session_id):
            click.echo(line, err=True)
    for m in (m for m in store.moods() if m.session_id == session_id):
        click.echo(f"Mood: {m.value}/10 (\u201c{m.words}\u201d)", err=True)
    if entry and entry.reflection:
        click.echo(f"Reflection: \u201c{entry.reflection}\u201d", err=True)
    click.echo(f"Entry saved as session {session_id}.", err=True)


def _journal_live(settings: Settings, store, prompt: str, printer) -> int:
    from voice.sinks import SpeakerSink
    from voice.sources import MicrophoneSource
    from voice.tts import voice_sample_rate

    from .engine.components import Progress, build_pipeline
    from .engine.live import run_live
    from .journal import conversation_settings, journal_pipeline

    microphone = MicrophoneSource(settings.audio.input_device)  # no microphone fails here, before models load
    speaker = SpeakerSink(voice_sample_rate(settings.tts.voice), settings.audio.output_device)
    pipeline = journal_pipeline(build_pipeline(settings, Progress()), settings, store, prompt)
    click.echo(f"Journaling on '{microphone.device_name}'. Say \u201cI'm done\u201d to close the entry. Ctrl-C to stop.",
               err=True)
    try:
        conversation = run_live(pipeline, store, microphone, speaker, settings=conversation_settings(prompt),
                                on_event=printer)
    finally:
        microphone.close()
        speaker.close()
    return conversation.session_id


from .chat_cli import register as _register_chat  # noqa: E402  (typed chat, issue 9)

_register_chat(main)

if __name__ == "__main__":
    main()
