"""Renders a stored turn as a transcript line, with the user's pauses marked where they fell."""

from __future__ import annotations

import re
from collections.abc import Mapping

from dialogue.store import Store, StoredTurn

from .engine.reporting import format_pause


def _words_with_times(turn: StoredTurn) -> list[tuple[str, float]]:
    """Spread the words evenly over the speech time (the pauses excluded)."""
    words = turn.text.split()
    speaking = max(1e-6, (turn.end_s - turn.start_s) - sum(p.duration_s for p in turn.pauses))
    per_word = speaking / max(1, len(words))
    out, t = [], turn.start_s
    pauses = list(turn.pauses)
    for word in words:
        while pauses and pauses[0].start_s <= t:
            t += pauses.pop(0).duration_s
        out.append((word, t))
        t += per_word
    return out


def _norm(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower())


def _anchored_index(words: list[str], after: str, start: int) -> int | None:
    """Where the words heard right after a pause begin in the turn's text (from word timestamps)."""
    wanted = [w for w in (_norm(x) for x in after.split()) if w][:3]
    if not wanted:
        return None
    normed = [_norm(w) for w in words]
    for i in range(start, len(words) - len(wanted) + 1):
        if normed[i : i + len(wanted)] == wanted:
            return i
    return None


def render_turn(turn: StoredTurn, anchors: Mapping[float, str] | None = None) -> str:
    """`[  12.3s] you: I went to see my sister … (1.4 s) … and it was hard`.

    A pause mark goes where the pause fell. When the pause was long enough to be a cue, the
    words heard right after it (from Whisper's word timestamps) anchor the mark exactly
    (`anchors`: pause start → those words); otherwise its place is estimated by spreading the
    words evenly over the speech time. The pause length itself is always measured.
    """
    who = "you" if turn.speaker == "user" else "stillpoint"
    text = turn.text
    if turn.pauses and turn.speaker == "user":
        words = text.split()
        anchors = anchors or {}
        at: dict[int, list[float]] = {}
        estimated = dict(zip(range(len(words)), (t for _, t in _words_with_times(turn))))
        cursor = 0
        for pause in turn.pauses:
            index = _anchored_index(words, anchors.get(round(pause.start_s, 3), ""), cursor)
            if index is None:
                index = next((i for i in range(cursor, len(words)) if estimated[i] > pause.start_s), len(words))
            cursor = index
            at.setdefault(index, []).append(pause.duration_s)
        pieces: list[str] = []
        for i in range(len(words) + 1):
            pieces.extend(format_pause(d) for d in at.get(i, []))
            if i < len(words):
                pieces.append(words[i])
        text = " ".join(pieces)
    mark = " [interrupted]" if turn.interrupted else ""
    return f"[{turn.start_s:7.2f}s] {who}: {text}{mark}"


def pause_anchors(store: Store, session_id: int) -> dict[float, str]:
    """Pause start → the words heard right after it, from the session's pause cues."""
    return {round(c.cue.start_s, 3): c.cue.after for c in store.cues(session_id) if c.cue.kind == "pause" and c.cue.after}


def render_session(store: Store, session_id: int) -> list[str]:
    """Every turn of a session, with crisis flags marked on the turns that raised them."""
    flags = {turn_id: (level, reason) for _, turn_id, level, reason, _ in store.safety_events(session_id)}
    anchors = pause_anchors(store, session_id)
    lines = []
    for turn in store.turns(session_id):
        line = render_turn(turn, anchors)
        if turn.id in flags:
            line += f"  [safety: {flags[turn.id][0]}, {flags[turn.id][1]}]"
        lines.append(line)
    info = store.session(session_id)
    if info is not None and info.interrupted:
        lines.append("(This session was interrupted: Stillpoint stopped before it ended. "
                     "Everything said up to then is kept.)")
    return lines
