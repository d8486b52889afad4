"""Moods and full-text search in the store: the agreed API, edge cases that must never raise, erase."""

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from dialogue.store import Store, fts_query


def _session(store, *lines, source="test"):
    session_id = store.start_session(source)
    for n, line in enumerate(lines):
        store.add_turn(session_id, "user", line, n * 10.0, n * 10.0 + 5.0)
    store.end_session(session_id)
    return session_id


def test_moods_are_kept_with_their_words_context_and_source(store):
    first = _session(store, "I'm about a six today.")
    mood_id = store.add_mood(first, 6, "about a six", context="I'm about a six today.")
    store.add_mood(first, 4, "pretty low", source="breathing")
    moods = store.moods()
    assert [m.value for m in moods] == [6, 4]
    assert moods[0].id == mood_id and moods[0].words == "about a six" and moods[0].context.startswith("I'm about")
    assert moods[0].source == "conversation" and moods[1].source == "breathing"
    assert store.session_mood_count(first) == 2


@pytest.mark.parametrize("value", [0, 11, -3])
def test_a_mood_outside_one_to_ten_is_refused(store, value):
    with pytest.raises(ValueError):
        store.add_mood(None, value, "x")
    assert store.moods() == []


def test_moods_since_a_time(store):
    store.add_mood(None, 5, "okay")
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    assert len(store.moods(since_ts=0)) == 1
    assert store.moods(since_ts=later) == []
    assert store.moods(since_ts=later.isoformat()) == []
    assert store.moods(since_ts=later.timestamp()) == []


def test_search_finds_words_with_dates_and_snippets(store):
    _session(store, "Work was long and grey.", "I keep thinking about my sister and the wedding.")
    other = _session(store, "My sister called again tonight.")
    hits = store.search("sister")
    assert {h.session_id for h in hits} == {1, other}
    assert all("[sister]" in h.snippet.lower() for h in hits)
    assert hits[0].session_id == other or hits[0].started_at >= hits[-1].started_at  # newest first
    assert datetime.fromisoformat(hits[0].started_at)
    assert store.search("wedding")[0].start_s == 10.0
    assert store.search("sist")  # a prefix of the last word
    assert store.search("nothing-like-this-anywhere") == []


@pytest.mark.parametrize(
    "query",
    ['"', '""', "sister\"", '"sister', "sister AND", "OR", "NOT sister", "sister NOT", "AND OR NOT", "(", ")",
     "sister*", "*", "text:sister", "^sister", "NEAR(sister wedding)", "sister -wedding", "'", "sister's", "%", "_",
     "\\", ";DROP TABLE turns;--", "", "   ", "\u0000", "😀", "a" * 5000, "{sister}", "[sister]", "+sister"],
)
def test_search_never_raises(store, query):
    _session(store, "My sister's wedding is in Zürich, near the café.")
    hits = store.search(query)
    assert isinstance(hits, list)
    if query in FOUND_DESPITE_SYNTAX:
        assert hits, query  # the word inside the syntax is still found


FOUND_DESPITE_SYNTAX = {'sister"', '"sister', "sister AND", "NOT sister", "sister NOT", "sister*", "^sister",
                        "{sister}", "[sister]", "+sister", "sister's"}


@pytest.mark.parametrize("query,said", [
    ("zurich", "My sister's wedding is in Zürich."),
    ("Zürich", "My sister's wedding is in Zurich."),
    ("café", "We met at the café."),
    ("Björk", "I listened to Björk all night."),
    ("naïve", "I felt so naïve."),
    ("ñandú", "Un ñandú en el zoo."),
    ("日本", "日本 was the trip I keep remembering"),
    ("ΑΘΗΝΑ", "We went to Αθηνα once."),
])
def test_search_handles_accents_and_other_scripts(store, query, said):
    _session(store, said)
    assert store.search(query), (query, said)


def test_fts_query_quotes_every_word():
    assert fts_query('sister "AND" (mum)') == '"sister" "mum"*'
    assert fts_query("AND") == '"AND"*'
    assert fts_query('say "hi"') == '"say" "hi"*'
    assert fts_query("!!!") == ""


def test_erase_removes_a_session_from_the_search_index(store):
    kept = _session(store, "The zebracrossing by the park.")
    gone = _session(store, "My quokkafriend said something hard.", "quokkafriend again.")
    assert store.search("quokkafriend")
    store.erase_session(gone)
    assert store.search("quokkafriend") == []
    assert store.search("zebracrossing")[0].session_id == kept
    db = sqlite3.connect(store.path)
    segments = b"".join(row[0] for row in db.execute("SELECT block FROM turn_search_data") if row[0])
    db.close()
    assert b"quokkafriend" not in segments  # merged out of the index, not just marked deleted
    assert b"zebracrossing" in segments


def test_a_database_from_before_search_is_indexed_on_first_use(tmp_path):
    path = tmp_path / "old.db"
    old = Store(path)
    old.search("anything")  # creates the index
    _session(old, "An old entry about the lighthouse.")
    old._db.execute("DROP TABLE turn_search")  # as if written before search existed
    old._db.execute("DROP TRIGGER turn_search_insert")
    old.close()
    reopened = Store(path)
    assert reopened.search("lighthouse")


def test_a_read_only_database_without_an_index_is_still_searchable(tmp_path):
    path = tmp_path / "ro.db"
    writer = Store(path)
    writer.search("anything")
    _session(writer, "A quiet walk by the river.")
    writer._db.execute("DROP TABLE turn_search")
    writer._db.execute("DROP TABLE moods")
    writer.close()
    reader = Store(path)
    reader._db.close()
    reader._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
    assert reader.search("river")
    assert reader.moods() == []


def test_journal_entry_keeps_prompt_and_reflection(store):
    session_id = _session(store, "Today I mostly thought about the move.", source="journal")
    store.set_journal_entry(session_id, prompt="What's been on your mind?")
    store.set_journal_entry(session_id, reflection="I'm more ready than I thought.")
    entry = store.journal_entry(session_id)
    assert entry.prompt == "What's been on your mind?" and entry.reflection == "I'm more ready than I thought."
    store.erase_session(session_id)
    assert store.journal_entry(session_id) is None


def test_a_mood_heard_twice_in_the_same_words_is_kept_once(store):
    from stillpoint.mood_keeper import keep_mood

    session_id = _session(store, "I'm about a four.")
    assert keep_mood(store, session_id, "I'm about a four.").value == 4
    assert keep_mood(store, session_id, "I'm about a four.", source="journal").value == 4
    assert [m.value for m in store.moods()] == [4]
    assert keep_mood(store, session_id, "Better than yesterday.").value == 5  # read against the last mood
    assert keep_mood(store, session_id, "The food was good.") is None
    assert len(store.moods()) == 2
