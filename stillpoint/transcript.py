"""Renders a stored turn as a transcript line, with the user's pauses marked where they fell."""

from __future__ import annotations

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


def render_turn(turn: StoredTurn) -> str:
    """`[  12.3s] you: I went to see my sister … (1.4 s) … and it was hard`.

    The transcript has no word times (Whisper's swallow pauses), so a pause mark is placed
    between the words whose estimated times straddle it; the pause length itself is measured.
    """
    who = "you" if turn.speaker == "user" else "stillpoint"
    text = turn.text
    if turn.pauses and turn.speaker == "user":
        timed = _words_with_times(turn)
        pieces: list[str] = []
        pauses = list(turn.pauses)
        for word, start in timed:
            while pauses and pauses[0].start_s < start:
                pieces.append(format_pause(pauses.pop(0).duration_s))
            pieces.append(word)
        pieces.extend(format_pause(p.duration_s) for p in pauses)
        text = " ".join(pieces)
    mark = " [interrupted]" if turn.interrupted else ""
    return f"[{turn.start_s:7.2f}s] {who}: {text}{mark}"


def render_session(store: Store, session_id: int) -> list[str]:
    """Every turn of a session, with crisis flags marked on the turns that raised them."""
    flags = {turn_id: (level, reason) for _, turn_id, level, reason, _ in store.safety_events(session_id)}
    lines = []
    for turn in store.turns(session_id):
        line = render_turn(turn)
        if turn.id in flags:
            line += f"  [safety: {flags[turn.id][0]}, {flags[turn.id][1]}]"
        lines.append(line)
    return lines
