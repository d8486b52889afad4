"""Export to bring to therapy, search and the weekly summary, run as a person would (the real CLI).

The store holds several sessions: three this week (two conversations, one journal entry) and one
a month ago. Each holds words that belong to one part only (summary, cue, mood, transcript), so
the tests can see that what was chosen is in the file and nothing else is.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from conftest import ROOT, run_cli
from dialogue.cues import Cue
from dialogue.store import Store

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (scripts/test.sh installs it)")

# Words that appear in exactly one part of the store.
SUMMARY_WORD = "lighthouse"
CUE_WORD = "harbour"
MOOD_WORDS = "pretty low"
TRANSCRIPT_ONLY = "marmalade"
OLD_SESSION_WORD = "zeppelin"
NAME = "Marguerite"


@pytest.fixture
def home(private_home):
    store = Store(private_home / "data" / "stillpoint.db")
    old = store.start_session("test")
    store.add_turn(old, "user", f"The {OLD_SESSION_WORD} exhibition was a month ago.", 0, 4)
    store.set_summary(old, f"The {OLD_SESSION_WORD} exhibition.")
    month_ago = (datetime.now(timezone.utc) - timedelta(days=30)).isoformat(timespec="seconds")
    store._db.execute("UPDATE sessions SET started_at = ? WHERE id = ?", (month_ago, old))
    store.add_mood(old, 9, "a nine", context="old")
    store._db.execute("UPDATE moods SET created_at = ? WHERE session_id = ?", (month_ago, old))

    first = store.start_session("test")
    turn = store.add_turn(first, "user", f"I sat with {NAME} at work and thought about the {SUMMARY_WORD}.", 0, 6,
                          pauses=[(2.0, 3.4)])
    store.add_turn(first, "user", f"We had {TRANSCRIPT_ONLY} on toast. Work again.", 10, 14)
    store.add_cue(first, turn, Cue("pause", 2.0, 3.4, f"the {CUE_WORD} wall", "and then nothing", "", ("harbour",)))
    store.set_summary(first, f"I sat at work and thought about the {SUMMARY_WORD}.")
    store.add_mood(first, 3, MOOD_WORDS, context="I'm pretty low.")
    second = store.start_session("test")
    store.add_turn(second, "user", f"Work, and {NAME} phoned about the move.", 0, 5)
    store.set_summary(second, "Work, and a phone call about the move.")
    store.add_mood(second, 6, "about a six", context="About a six.")
    entry = store.start_session("journal")
    store.add_turn(entry, "user", "A journal entry about sleep and the garden.", 0, 5)
    store.set_summary(entry, "Sleep and the garden.")
    store.set_journal_entry(entry, prompt="What's on your mind?", reflection="I need more sleep.")
    store.add_mood(entry, 7, "seven out of ten", context="Seven out of ten.")
    store.close()
    return private_home


def _pdf_text(path):
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _pdf_images(path):
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    return [line for line in listing.splitlines()[2:] if " image " in line]


@pytest.mark.parametrize("fmt", ["md", "html", "pdf"])
def test_an_export_holds_what_was_chosen_and_nothing_else(home, fmt):
    out = home / f"for-therapist.{fmt}"
    result = run_cli("export", "--since", "2w", "--format", fmt, "--include", "summaries,cues,moods", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "will contain:" in result.stderr and "3 sessions" in result.stderr and "left out: themes, transcripts, safety" in result.stderr
    assert result.stderr.index("will contain:") < result.stderr.index("Wrote")
    assert "Exporting session 3 of 3" in result.stderr
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    if fmt == "pdf":
        text = _pdf_text(out)
        assert len(_pdf_images(out)) >= 1  # the mood plot
        pages = subprocess.run(["pdftoppm", "-r", "40", "-png", str(out), str(home / "page")], capture_output=True)
        assert pages.returncode == 0 and sorted(p.name for p in home.glob("page*.png"))
        assert all(p.stat().st_size > 2000 for p in home.glob("page*.png"))
    else:
        text = out.read_text()
        if fmt == "md":
            plot = home / "for-therapist-mood.png"
            assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f"]({plot.name})" in text
        else:
            assert "<img" in text and "data:image/png;base64," in text
    flat = " ".join(text.split())
    for chosen in (SUMMARY_WORD, CUE_WORD, MOOD_WORDS, "about a six", "seven out of ten", "I need more sleep",
                   "not a therapist", "journal entry"):
        assert chosen in flat, chosen
    for not_chosen in (TRANSCRIPT_ONLY, OLD_SESSION_WORD, "a nine", "Themes across"):
        assert not_chosen not in flat, not_chosen


def test_parts_left_out_are_not_in_the_pdf(home):
    out = home / "summaries-only.pdf"
    result = run_cli("export", "--since", "1w", "--include", "summaries", "-o", str(out))
    assert result.returncode == 0, result.stderr
    text = " ".join(_pdf_text(out).split())
    assert SUMMARY_WORD in text
    assert CUE_WORD not in text and MOOD_WORDS not in text and TRANSCRIPT_ONLY not in text
    assert _pdf_images(out) == []  # no moods chosen, no plot


def test_transcripts_excerpts_and_redaction(home):
    found = json.loads(run_cli("search", TRANSCRIPT_ONLY, "--json").stdout)
    assert len(found) == 1
    out = home / "full.html"
    result = run_cli("export", "2", "3", "--include", "transcripts", "--excerpt", str(found[0]["turn_id"]),
                     "--redact", "-o", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert NAME not in text and "[name]" in text
    assert TRANSCRIPT_ONLY in text and "Excerpts I chose" in text
    assert "… (3.4 s) …" in text  # the pause, where it fell
    assert "garden" not in text  # session 4 was not chosen
    assert "names replaced by [name]" in result.stderr


@pytest.mark.parametrize("args,message", [
    (["--since", "2w", "--format", "docx", "-o", "out.docx"], "Unknown format 'docx'"),
    (["--since", "2w", "-o", "out.odt"], "Unknown format '.odt'"),
    (["--since", "2030-01-01", "-o", "out.pdf"], "There are no sessions since"),
    (["--since", "fortnight", "-o", "out.pdf"], "not a time span"),
    (["--since", "2w", "--include", "summaries,secrets", "-o", "out.pdf"], "Unknown part 'secrets'"),
    (["-o", "out.pdf"], "Choose the sessions"),
    (["2", "--since", "2w", "-o", "out.pdf"], "Choose the sessions"),
    (["99", "-o", "out.pdf"], "There is no session 99"),
    (["--since", "2w", "-o", "no-such-folder/out.pdf"], "does not exist"),
    (["--since", "2w", "-o", "a-file.txt/out.pdf"], "is not a folder"),
    (["--since", "2w", "-o", "."], "is a folder"),
])
def test_bad_input_gets_one_clear_line_and_writes_nothing(home, args, message):
    (home / "a-file.txt").write_text("not a folder")
    before = sorted(p.name for p in home.iterdir())
    result = subprocess.run([sys.executable, "-m", "stillpoint.cli", "export", *args], capture_output=True, text=True,
                            cwd=home, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("stillpoint: ") and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in home.iterdir()) == before  # nothing written, not even a temporary file


def test_an_unwritable_place_fails_before_any_work_and_leaves_nothing(home):
    result = run_cli("export", "--since", "2w", "-o", "/proc/stillpoint-export.pdf")
    assert result.returncode != 0 and result.stderr.startswith("stillpoint: ") and "nothing was written" in result.stderr
    assert not os.path.exists("/proc/stillpoint-export.pdf")


def test_a_write_that_fails_half_way_leaves_no_file(tmp_path):
    from stillpoint.export import ExportError, write_atomic

    first, second = tmp_path / "doc.md", tmp_path / "gone" / "plot.png"
    with pytest.raises(ExportError, match="nothing was written"):
        write_atomic({first: b"document", second: b"plot"})
    assert list(tmp_path.iterdir()) == []


def test_dry_run_lists_and_writes_nothing(home):
    result = run_cli("export", "--since", "2w", "--dry-run", "-o", str(home / "x.pdf"))
    assert result.returncode == 0 and "will contain:" in result.stderr and "3 moods and a mood-trend plot" in result.stderr
    assert not (home / "x.pdf").exists()


def test_search_shows_dates_snippets_and_turn_numbers(home):
    result = run_cli("search", "marguerite")
    assert result.returncode == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2 and all("[Marguerite]" in line and "session" in line for line in lines)
    assert datetime.now().strftime("%B %Y") in lines[0]
    assert "Nothing found" in run_cli("search", '"unbalanced AND (').stdout


def test_weekly_summary_counts_entries_moods_themes_and_reflections(home):
    result = run_cli("summary", "--week")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "One journal entry and two conversations" in text
    assert "3 moods were given, from 3 (\u201cpretty low\u201d" in text and "seven out of ten" in text
    assert "You've mentioned work in two of your last three sessions." in text
    assert "I need more sleep" in text
    assert OLD_SESSION_WORD not in text and "a nine" not in text


def test_weekly_summary_spoken_into_a_file(home):
    import soundfile

    out = home / "week.wav"
    result = run_cli("summary", "--week", "--speak", "--output", str(out))
    assert result.returncode == 0, result.stderr
    audio, rate = soundfile.read(out)
    assert len(audio) / rate > 5.0 and abs(audio).max() > 0.05  # real speech, several sentences


def test_a_model_summary_is_shown_for_approval_and_marked(home, embedded_backend):
    from ollama_standin import OllamaStandIn

    written = "You wrote about the lighthouse, work and a phone call about a move."
    with OllamaStandIn(embedded_backend, scripted=lambda messages: written) as server:
        config = home / "config.yaml"
        config.write_text(f"llm:\n  backend: ollama\n  ollama:\n    host: {server.host}\n    model: llama3.2:3b\n")
        declined = run_cli("--config", str(config), "export", "--since", "1w", "--model-summary", "-o",
                           str(home / "no.md"), input="n\n")
        assert declined.returncode == 0 and written in declined.stderr
        assert written not in (home / "no.md").read_text()
        approved = run_cli("--config", str(config), "export", "--since", "1w", "--model-summary", "-o",
                           str(home / "yes.md"), input="y\n")
        assert approved.returncode == 0, approved.stderr
        text = (home / "yes.md").read_text()
        assert written in text and "written by a language model" in text
        sent = json.dumps(server.requests[-1]["messages"])
        assert SUMMARY_WORD in sent and OLD_SESSION_WORD not in sent and TRANSCRIPT_ONLY not in sent  # only what was chosen
    embedded_only = run_cli("export", "--since", "1w", "--model-summary", "-o", str(home / "plain.md"))
    assert embedded_only.returncode == 0 and "stays in your own words" in embedded_only.stderr
