"""Export what the person chooses to bring to therapy: Markdown, HTML or PDF.

One document is written once, in Markdown, from the chosen sessions only (`digest.gather`) and
the chosen parts only (`--include`); HTML is that Markdown converted (python-markdown) with a
print stylesheet and the mood plot embedded; the PDF is WeasyPrint's layout of that HTML. So
the three formats always say the same thing. Before anything is written, `plan()` lists what the
file will contain. Files are written owner-only and atomically (a temporary file renamed into
place), so a failure leaves nothing half-written.
"""

from __future__ import annotations

import base64
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dialogue.store import Store
from dialogue.topics import CALENDAR, topics

from .output_files import OutputError, check_output_path
from .digest import Digest, gather, mood_line, when
from .transcript import render_turn

FORMATS = ("md", "html", "pdf")
PARTS = ("summaries", "themes", "cues", "moods", "transcripts", "safety")
DEFAULT_PARTS = frozenset({"summaries", "themes", "cues", "moods", "safety"})
PLOT_PLACEHOLDER = "stillpoint-mood-trend.png"


class ExportError(Exception):
    """A bad request or an unwritable place; the message is one line for the person."""


@dataclass(frozen=True)
class ExportOptions:
    include: frozenset[str] = DEFAULT_PARTS
    redact: bool = False
    excerpts: tuple[int, ...] = ()  # turn ids the person picked (see `stillpoint search`)
    model_summary: str = ""  # written by a language model and approved by the person
    model_name: str = ""
    resources_text: str = ""


def parse_include(text: str | None) -> frozenset[str]:
    if not text:
        return DEFAULT_PARTS
    parts = {p.strip().lower() for p in text.split(",") if p.strip()}
    unknown = sorted(parts - set(PARTS))
    if unknown:
        raise ExportError(f"Unknown part '{unknown[0]}' in --include; choose from {', '.join(PARTS)}.")
    return frozenset(parts)


def format_for(fmt: str | None, out: Path) -> str:
    chosen = (fmt or out.suffix.lstrip(".") or "md").lower()
    chosen = {"markdown": "md", "htm": "html"}.get(chosen, chosen)
    if chosen not in FORMATS:
        raise ExportError(f"Unknown format '{fmt or out.suffix}'; choose md, html or pdf.")
    return chosen


def check_writable(out: Path, *, not_same_as: Iterable[str | Path] = ()) -> None:
    """Fail before any work if the file could not be written there (or would overwrite an input)."""
    try:
        check_output_path(out, not_same_as=not_same_as)
    except OutputError as error:
        raise ExportError(f"{str(error).rstrip('.')}; nothing was written.") from None
    parent = out.parent if str(out.parent) else Path(".")
    try:  # a real probe: permissions, read-only or special file systems, quotas
        with tempfile.TemporaryFile(dir=parent, prefix=".stillpoint-probe-"):
            pass
    except OSError as error:
        raise ExportError(f"Cannot write in {parent} ({error.strerror or error}); nothing was written.") from None


# -- what goes in ------------------------------------------------------------------------------
def _excerpt_turns(store: Store, digest: Digest, turn_ids: Sequence[int]):
    wanted = set(turn_ids)
    found = {t.id: (s, t) for s in digest.sessions for t in s.turns if t.id in wanted}
    missing = sorted(wanted - set(found))
    if missing:
        raise ExportError(f"Turn {missing[0]} is not in the chosen sessions; find turns with `stillpoint search`.")
    return [found[i] for i in turn_ids if i in found]


def plan(digest: Digest, options: ExportOptions) -> list[str]:
    """What the file will contain, one line each, and what it leaves out."""
    inc = options.include
    dates = ", ".join(when(s.info.started_at, False) for s in digest.sessions)
    lines = [f"{len(digest.sessions)} session{'s' if len(digest.sessions) != 1 else ''} ({dates})"]
    if "summaries" in inc:
        lines.append("a short summary of each, in your own words" +
                     (" and your closing reflections" if any(s.entry and s.entry.reflection for s in digest.sessions) else ""))
    if options.model_summary:
        lines.append(f"a summary written by a language model ({options.model_name}), which you approved")
    if "themes" in inc:
        lines.append(f"recurring themes ({len(digest.themes)})")
    if "cues" in inc:
        n = sum(1 for s in digest.sessions for c in s.cues if c.cue.band != "short")
        lines.append(f"{n} silence{'s' if n != 1 else ''} noticed, with the words around them")
    if "moods" in inc:
        lines.append(f"{len(digest.moods)} mood{'s' if len(digest.moods) != 1 else ''}"
                     + (" and a mood-trend plot" if digest.moods else ""))
    if "safety" in inc:
        n = sum(len(s.safety) for s in digest.sessions)
        lines.append(f"moments flagged for safety ({n})")
    if "transcripts" in inc:
        lines.append("the full transcripts, with pauses")
    if options.excerpts:
        lines.append(f"{len(options.excerpts)} excerpt{'s' if len(options.excerpts) != 1 else ''} you picked")
    if options.redact:
        lines.append("names replaced by [name]")
    left_out = [p for p in PARTS if p not in inc]
    if left_out:
        lines.append("left out: " + ", ".join(left_out))
    return lines


def markdown(store: Store, digest: Digest, options: ExportOptions, plot_src: str | None = None) -> str:
    """The document, in Markdown, from the chosen parts of the chosen sessions only."""
    inc = options.include
    lines = [
        "# Reflections from Stillpoint",
        "",
        "Stillpoint is an AI companion, not a therapist. What follows is what I chose to share from my sessions: short "
        "summaries in my own words, the silences it noticed (measured, not interpreted), and any moments it flagged.",
        "",
        f"*{len(digest.sessions)} session{'s' if len(digest.sessions) != 1 else ''}, "
        f"{when(digest.sessions[0].info.started_at, False)} to {when(digest.sessions[-1].info.started_at, False)}.*",
        "",
    ]
    if options.model_summary:
        lines += [f"## Summary (written by a language model, {options.model_name}; I read and approved it)", "",
                  options.model_summary, ""]
    if "moods" in inc and digest.moods:
        lines += ["## Mood", "", mood_line(digest.moods), ""]
        if plot_src:
            lines += [f"![Mood from 1 to 10 over time, as I gave it]({plot_src})", ""]
        lines += [f"- {when(m.created_at)}: **{m.value}**/10 \u2014 \u201c{m.words}\u201d" for m in digest.moods] + [""]
    if "themes" in inc and digest.themes:
        lines += ["## Themes across these sessions", ""] + [f"- {t.spoken()}" for t in digest.themes[:6]] + [""]
    if options.excerpts:
        lines += ["## Excerpts I chose", ""]
        for session, turn in _excerpt_turns(store, digest, options.excerpts):
            lines += [f"- *Session {session.info.id}, {when(session.info.started_at)}:* {_turn_line(turn, session)}"]
        lines.append("")
    for s in digest.sessions:
        lines += [f"## Session {s.info.id} \u2014 {when(s.info.started_at)} ({s.kind})", ""]
        if "summaries" in inc:
            if s.summary:
                lines += [f"**Summary:** {s.summary}", ""]
            if s.entry and s.entry.reflection:
                lines += [f"**My reflection at the end:** \u201c{s.entry.reflection}\u201d", ""]
        cues = [c for c in s.cues if c.cue.band != "short"]
        if "cues" in inc and cues:
            lines += ["**Silences noticed:**", ""]
            for c in cues:
                kind = c.cue.kind.replace("_", " ")
                where = f" after \u201c\u2026{c.cue.before}\u201d" if c.cue.before else ""
                then = f", then \u201c{c.cue.after}\u2026\u201d" if c.cue.after else ""
                lines.append(f"- {kind}, {c.cue.duration_s:.1f} s ({c.cue.band}){where}{then}")
            lines.append("")
        if "safety" in inc and s.safety:
            lines.append("**Moments flagged for safety:** " + ", ".join(f"{level} ({reason})" for _, _, level, reason, _ in s.safety))
            if options.resources_text:
                lines.append(f"Resources offered: {options.resources_text}")
            lines.append("")
        if "transcripts" in inc:
            lines += ["**Transcript:**", ""] + [f"- {_turn_line(t, s)}" for t in s.turns] + [""]
    text = "\n".join(lines).rstrip() + "\n"
    return redact(text, _names(digest)) if options.redact else text


def _turn_line(turn, session) -> str:
    """A transcript line with its pause marks, without the column padding meant for terminals."""
    anchors = {round(c.cue.start_s, 3): c.cue.after for c in session.cues if c.cue.kind == "pause" and c.cue.after}
    return re.sub(r"^\[\s+", "[", render_turn(turn, anchors))


# -- redaction ---------------------------------------------------------------------------------
_NEVER_NAMES = {"Stillpoint", "I", "AI", "OK", "Okay"} | {w.capitalize() for w in CALENDAR}


def _names(digest: Digest) -> set[str]:
    """Names the person said (capitalised mid-sentence), across the chosen sessions."""
    found = set()
    for s in digest.sessions:
        for turn in s.turns:
            found |= {t.word for t in topics(turn.text) if t.kind == "name" and t.word not in _NEVER_NAMES}
    return found


def redact(text: str, names: Iterable[str]) -> str:
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(name)}\b('s)?", "[name]", text)
    return text


# -- the mood plot -----------------------------------------------------------------------------
def mood_plot_png(digest: Digest) -> bytes | None:
    """A small line chart of the moods over time (matplotlib, no display needed), or None."""
    if not digest.moods:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import dates as mdates
    from matplotlib import pyplot as plt

    times = [datetime.fromisoformat(m.created_at).astimezone() for m in digest.moods]
    values = [m.value for m in digest.moods]
    figure, axes = plt.subplots(figsize=(6.5, 2.4), dpi=150)
    try:
        axes.plot(times, values, marker="o", color="#3b6e8f", linewidth=1.6)
        axes.set_ylim(0.5, 10.5)
        axes.set_yticks([1, 3, 5, 7, 10])
        axes.set_ylabel("mood (1\u201310)")
        axes.grid(axis="y", alpha=0.3)
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
        axes.set_title("Mood as I gave it", fontsize=10)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.autofmt_xdate()
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)


# -- formats -----------------------------------------------------------------------------------
_CSS = """
@page { size: A4; margin: 2cm; @bottom-right { content: counter(page) " / " counter(pages); font-size: 9pt; } }
body { font-family: "DejaVu Sans", "Helvetica", sans-serif; font-size: 11pt; line-height: 1.45; color: #222; max-width: 46em; margin: auto; }
h1 { font-size: 18pt; margin-bottom: 0.2em; } h2 { font-size: 13pt; margin-top: 1.4em; border-bottom: 1px solid #ccc; }
pre, code { font-family: "DejaVu Sans Mono", monospace; font-size: 9pt; white-space: pre-wrap; }
img { max-width: 100%; } li { margin: 0.15em 0; }
"""


def html(markdown_text: str, plot_png: bytes | None) -> str:
    import markdown as md

    if plot_png:
        uri = "data:image/png;base64," + base64.b64encode(plot_png).decode()
        markdown_text = markdown_text.replace(f"]({PLOT_PLACEHOLDER})", f"]({uri})")
    body = md.markdown(markdown_text, extensions=["sane_lists"], output_format="html")
    return ("<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
            "<title>Reflections from Stillpoint</title>"
            f"<style>{_CSS}</style></head><body>\n{body}\n</body></html>\n")


def pdf(html_text: str) -> bytes:
    import logging

    from weasyprint import HTML

    for noisy in ("weasyprint", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    return HTML(string=html_text).write_pdf()


def render_files(store: Store, digest: Digest, options: ExportOptions, fmt: str, out: Path,
                 step: Callable[[str], None] = lambda label: None) -> dict[Path, bytes]:
    """Every file the export writes, as bytes: the document, and for Markdown the plot beside it."""
    plot = None
    if "moods" in options.include and digest.moods:
        step("Drawing the mood plot")
        plot = mood_plot_png(digest)
    if fmt == "md":
        plot_path = out.with_name(out.stem + "-mood.png")
        text = markdown(store, digest, options, plot_path.name if plot else None)
        files = {out: text.encode()}
        if plot:
            files[plot_path] = plot
        return files
    text = markdown(store, digest, options, PLOT_PLACEHOLDER if plot else None)
    page = html(text, plot)
    if fmt == "html":
        return {out: page.encode()}
    step("Laying out the PDF")
    return {out: pdf(page)}


def write_atomic(files: dict[Path, bytes]) -> None:
    """Write every file owner-only to a temporary name beside it, then rename all into place."""
    done: list[Path] = []
    temps: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            fd, temp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=f".{path.name}.", suffix=".part")
            temps.append((temp, path))
            with os.fdopen(fd, "wb") as f:
                os.fchmod(f.fileno(), 0o600)
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        for temp, path in temps:
            os.replace(temp, path)
            done.append(path)
    except OSError as error:
        for temp, _ in temps:
            if os.path.exists(temp):
                os.unlink(temp)
        raise ExportError(f"Could not write {next(iter(files))}: {error.strerror or error}; nothing was written.") from None


def write_private(path: Path, text: str) -> None:
    """One text file, owner-only, written atomically (kept for callers that write Markdown)."""
    check_writable(path)
    write_atomic({path: text.encode()})


def render(store: Store, session_ids: Sequence[int], *, transcript: bool = False, resources_text: str = "",
           progress: Callable[[int, int], None] = lambda done, total: None) -> str:
    """The Markdown export of the chosen sessions with the default parts (the web page's download)."""
    include = DEFAULT_PARTS | ({"transcripts"} if transcript else set())
    digest = gather(store, session_ids, progress=progress)
    return markdown(store, digest, ExportOptions(include=frozenset(include), resources_text=resources_text))
