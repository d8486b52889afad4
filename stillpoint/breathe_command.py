"""`stillpoint breathe`: a guided breathing exercise on its own (speaker and microphone, or files)."""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import replace
from pathlib import Path

import click

log = logging.getLogger(__name__)


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"stillpoint: {message}", err=True)
    sys.exit(code)


@click.command()
@click.option("--pattern", default="coherent", show_default=True,
              help="box, 478, coherent, sigh, or IN-HOLD-OUT[-HOLD] in seconds (e.g. 4-2-6).")
@click.option("--minutes", type=float, help="Breathe for this long (whole cycles).")
@click.option("--cycles", type=int, help="Breathe this many cycles (4-7-8: at most 4).")
@click.option("--night", is_flag=True, help="Quieter, slower voice, fewer words.")
@click.option("--counts", is_flag=True, help="Count the seconds of each part aloud.")
@click.option("--tones-only", is_flag=True, help="Tones, no words (besides the opening and the check-in).")
@click.option("--tones-after-first", is_flag=True, help="Words in the first cycle only, then tones.")
@click.option("--input", "input_path", type=click.Path(), help="Listen to a recording instead of the microphone.")
@click.option("--output", "output_path", type=click.Path(dir_okay=False), help="Write the exercise (as heard) to this WAV.")
@click.option("--schedule", "schedule_path", type=click.Path(dir_okay=False),
              help="Also write the cue schedule as played (times, kinds, steering) to this JSON file.")
@click.option("--plan", "plan_only", is_flag=True, help="Print the cue schedule as JSON and exit.")
@click.pass_obj
def breathe(ctx, pattern, minutes, cycles, night, counts, tones_only, tones_after_first, input_path, output_path,
            schedule_path, plan_only) -> None:
    """A guided breathing exercise: say "slower", "faster", "one more", "just tones" or "stop" at any time."""
    from dialogue.breathing import PatternError, parse_pattern
    from dialogue.store import StoreError
    from voice.errors import VoiceError

    from .config import ConfigError

    try:
        chosen = parse_pattern(pattern)
        from .breathe import make_plan

        plan = make_plan(chosen, cycles=cycles, minutes=minutes, night=night, counts=counts, tones_only=tones_only,
                         tones_after_first=tones_after_first)
    except PatternError as error:
        _fail(str(error), 2)
    if plan_only:
        click.echo(json.dumps(plan.as_dict()))
        return
    try:
        settings = ctx.settings
        if input_path:
            from voice.sources import FileSource

            FileSource(input_path)  # a bad file fails here, before any model loads
        if input_path and not output_path:
            output_path = str(Path(input_path).with_suffix("")) + ".breathing.wav"
        from .breathe_runner import run_exercise

        result = run_exercise(settings, plan, night=night, input_path=input_path, output_path=output_path,
                              verbose=ctx.verbose)
    except (PatternError, VoiceError, StoreError, ConfigError) as error:
        _fail(str(error))
        return
    if schedule_path:
        Path(schedule_path).write_text(json.dumps(result.as_dict()), encoding="utf-8")
    summary = result.summary()
    mood = f", you said {result.mood} of 10" if result.mood is not None else ""
    click.echo(f"{plan.pattern.title}: {summary['completed_cycles']} of {summary['planned_cycles']} cycles in "
               f"{summary['length_s']:.0f} s{mood}." + (f" Written to {output_path}." if output_path else ""), err=True)
