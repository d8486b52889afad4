"""A journal entry from a phone voice memo (.m4a), through the real loop and the real models.

The memo: a person (LJ Speech, a real voice) starts a thought, stops 3.5 s mid-sentence and
finishes it; then, in the Piper voice, talks on with pauses of 2.5, 4.8 and 3.0 s, gives a mood
("about a six out of ten"), is quiet, says "That's all for tonight", and leaves a closing line.
"""

import json
import os
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import run_cli
from dialogue.store import Store
from speechkit import build, lj, say

GAPS_INSIDE = [3.5, 2.5, 4.8, 3.0]  # pauses of up to 5 s: the companion must stay quiet through them


@pytest.fixture(scope="module")
def memo(tmp_path_factory):
    parts = [
        0.8, lj("LJ001-0006"), GAPS_INSIDE[0], lj("LJ001-0008"), GAPS_INSIDE[1],
        say("Work was hard today and I kept thinking about my sister."), GAPS_INSIDE[2],
        say("She called last night and I did not pick up."), GAPS_INSIDE[3],
        say("Honestly, I'd say I'm about a six out of ten."), 11.0,
        say("That's all for tonight."), 16.0,
        say("I need to call her back tomorrow."), 10.0,
    ]
    recording = build(parts, seed=7)
    return _write_m4a(recording.audio, tmp_path_factory.mktemp("memo") / "memo.m4a"), recording


def _write_m4a(audio, path, rate=16_000):
    """AAC in an MP4 container at 44.1 kHz, as a phone's voice-memo app writes it (PyAV)."""
    import av

    container = av.open(str(path), "w")
    stream = container.add_stream("aac", rate=44_100)
    stream.layout = "mono"
    frame = av.AudioFrame.from_ndarray(audio.reshape(1, -1), format="flt", layout="mono")
    frame.sample_rate = rate
    resampler = av.AudioResampler(format="fltp", layout="mono", rate=44_100)
    for chunk in [*resampler.resample(frame), *resampler.resample(None), None]:
        for packet in stream.encode(chunk):
            container.mux(packet)
    container.close()
    return path


def _disclosed_just_now():
    """The AI disclosure was said recently (its schedule is tested elsewhere): keep it out of these timings."""
    store = Store(Path(os.environ["STILLPOINT_HOME"]) / "stillpoint.db")
    store.set_meta("last_disclosed_at", datetime.now(timezone.utc).isoformat(timespec="seconds"))
    store.close()


def test_a_voice_memo_becomes_a_journal_entry(memo, tmp_path):
    path, recording = memo
    out = tmp_path / "heard.wav"
    _disclosed_just_now()
    result = run_cli("journal", "--input", str(path), "--output", str(out), "--json")
    assert result.returncode == 0, result.stderr
    turns = [json.loads(line) for line in result.stdout.splitlines()]
    users = [t for t in turns if t["speaker"] == "user"]
    companion = [t for t in turns if t["speaker"] == "companion"]

    # Quiet through every pause of up to 5 s: nothing is said inside them.
    for start, length in recording.gaps():
        if length <= 5.0:
            assert not [c for c in companion if start - 0.1 <= c["start_s"] <= start + length], (start, length, companion)
    # The first four utterances, with their four pauses, are one turn.
    first = users[0]
    assert "typography" in first["text"].lower() and re.search(r"\b(six|6) out of (ten|10)", first["text"].lower())
    assert [round(p["duration_s"], 1) for p in first["pauses"] if p["duration_s"] > 2] == pytest.approx(GAPS_INSIDE, abs=0.3)

    # Brief acknowledgements, no advice; then the close, the reflection, and the end of the entry.
    assert len(companion[0]["text"].split()) <= 5 and "?" not in companion[0]["text"]
    assert "one line to close this entry" in companion[1]["text"]
    assert "How would you put your mood" not in " ".join(c["text"] for c in companion)  # a mood was already given
    assert companion[-1]["text"].startswith("Your entry is saved")
    assert len(companion) == 3

    shown = run_cli("show", "last").stdout
    lines = [line for line in shown.splitlines() if " you: " in line]
    marks = [float(m) for m in re.findall(r"… \((\d+\.\d) s\) …", lines[0])]
    assert [m for m in marks if m > 2] == pytest.approx(GAPS_INSIDE, abs=0.3)
    # Each mark falls where the silence was: between the words either side of it.
    # (the long marks only: a reader's own comma pauses inside the LJ clip are marked too, and rightly)
    body = re.sub(r"\s*… \((\d+\.\d) s\) …\s*", lambda m: " | " if float(m.group(1)) > 2 else " ",
                  lines[0].split(" you: ", 1)[1])
    pieces = [p.strip().lower() for p in body.split("|")]
    assert pieces[0].endswith("typography,") or pieces[0].endswith("typography")
    assert pieces[1].startswith("has never been surpassed")
    assert pieces[2].startswith("work was hard")
    assert pieces[3].startswith("she called")
    assert pieces[4].startswith("honestly")

    assert re.search("Mood: 6/10 \\(\u201cabout a (six|6) out of (ten|10)\u201d\\)", result.stderr), result.stderr
    assert "Reflection: \u201cI need to call her back tomorrow.\u201d" in result.stderr
    summary = run_cli("summary", "--week").stdout
    assert summary.startswith("One journal entry and no conversations")
    assert "I need to call her back tomorrow" in summary
    found = run_cli("search", "sister").stdout
    assert "[sister]" in found


def test_a_mood_said_in_conversation_is_kept(tmp_path):
    wav = build([0.5, say("Long week. Honestly I'm about a six today."), 6.0], seed=3).write(tmp_path / "t.wav")
    result = run_cli("talk", "--input", str(wav), "--output", str(tmp_path / "t.out.wav"))
    assert result.returncode == 0, result.stderr
    store = Store(Path(os.environ["STILLPOINT_HOME"]) / "stillpoint.db")  # the CLI's data folder
    moods = store.moods()
    # Whisper writes the number either way ("about a six", "about a 6"), as in the journal test above
    assert [(m.value, m.source) for m in moods] == [(6, "conversation")]
    assert re.fullmatch("about a (six|6)", moods[0].words) and moods[0].words in moods[0].context, moods[0]
