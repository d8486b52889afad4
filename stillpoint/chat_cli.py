"""The `stillpoint chat` command (its work is in `stillpoint.chat`; imported late so other commands start fast)."""

from __future__ import annotations

import sys


def register(main) -> None:
    """Add `chat` to the CLI group (kept here so cli.py needs only one line)."""
    import click

    @main.command()
    @click.option("--script", "script", type=click.File("r", encoding="utf-8"),
                  help="Read user lines from FILE ('---' starts a new session).")
    @click.option("--json", "as_json", is_flag=True, help="Print one JSON object per turn.")
    @click.option("--explain", is_flag=True, help="Say why each reply was chosen.")
    @click.option("--backend", type=click.Choice(["embedded", "ollama", "openai"]), help="Override llm.backend.")
    @click.pass_obj
    def chat(ctx, script, as_json, explain, backend) -> None:
        """Type instead of speak: the same companion, safety, memory and store, without audio."""
        from dialogue.store import StoreError

        from .cli import _fail, _settings
        from .chat import ChatPrinter, run_chat, script_sessions, typed_lines
        from .engine.components import Progress, open_store, text_pipeline
        from .config import ConfigError

        settings = _settings(ctx)
        interactive = script is None and sys.stdin.isatty()
        printer = ChatPrinter(sys.stdout, as_json=as_json, explain=explain, echo_user=not interactive)
        try:
            store = open_store(settings)
            pipeline = text_pipeline(settings, Progress(quiet=as_json and not interactive), backend)
            if script is not None:
                sessions = script_sessions(script)
                if not sessions:
                    _fail(f"{script.name} has no user lines.", 2)
            else:
                if interactive:
                    click.echo("Type to talk; an empty line is ignored, Ctrl-D ends. I'm an AI, not a therapist.", err=True)
                sessions = [typed_lines(sys.stdin, (lambda: print("you: ", end="", flush=True)) if interactive else (lambda: None))]
            run_chat(pipeline, store, sessions, on_turn=printer)
        except (StoreError, ConfigError) as error:
            _fail(str(error))
        except KeyboardInterrupt:
            click.echo("", err=True)
