"""Export what the user chooses into a plain summary to bring to their therapist (Markdown).

Only the sessions named are included; by default summaries, themes, cues and safety notes, and the
full transcript only when asked. The file is written owner-only, like everything else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from dialogue.memory import themes
from dialogue.store import Store

from .output_files import write_text_private
from .transcript import render_turn


def _when(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).strftime("%A %d %B %Y, %H:%M")
    except ValueError:
        return iso


def render(store: Store, session_ids: Sequence[int], *, transcript: bool = False, resources_text: str = "",
           progress: Callable[[int, int], None] = lambda done, total: None) -> str:
    sessions = {s.id: s for s in store.sessions()}
    lines = [
        "# Reflections from Stillpoint",
        "",
        "Stillpoint is an AI companion, not a therapist. What follows is what I chose to share from my sessions: short "
        "summaries in my own words, the silences it noticed (measured, not interpreted), and any moments it flagged.",
        "",
    ]
    texts = store.user_texts_by_session()
    found = themes({i: texts.get(i, []) for i in session_ids}, recent=len(session_ids) or 1)
    if found:
        lines += ["## Themes across these sessions", ""] + [f"- {t.spoken()}" for t in found[:6]] + [""]
    for n, session_id in enumerate(session_ids, 1):
        info = sessions[session_id]
        lines += [f"## Session {session_id} — {_when(info.started_at)}", ""]
        summary = store.summary(session_id)
        if summary:
            lines += [f"**Summary:** {summary}", ""]
        cues = [c for c in store.cues(session_id) if c.cue.band != "short"]
        if cues:
            lines.append("**Silences noticed:**")
            for c in cues:
                kind = c.cue.kind.replace("_", " ")
                where = f" after “…{c.cue.before}”" if c.cue.before else ""
                lines.append(f"- {kind}, {c.cue.duration_s:.1f} s ({c.cue.band}){where}")
            lines.append("")
        flags = store.safety_events(session_id)
        if flags:
            lines.append("**Moments flagged for safety:** " + ", ".join(f"{level} ({reason})" for _, _, level, reason, _ in flags))
            if resources_text:
                lines.append(f"Resources offered: {resources_text}")
            lines.append("")
        if transcript:
            lines.append("**Transcript:**")
            lines += [f"    {render_turn(t)}" for t in store.turns(session_id)]
            lines.append("")
        progress(n, len(session_ids))
    return "\n".join(lines).rstrip() + "\n"


def write_private(path: Path, text: str) -> None:
    """Owner-only and atomic; a missing folder is an error (see `output_files`)."""
    write_text_private(path, text)
