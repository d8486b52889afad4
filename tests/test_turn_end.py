"""Turn ends that understand the words: the combiner's rules, the two packaged signals on real
models, and the judge deciding inside the segmenter on built recordings."""

import numpy as np
import pytest

from speechkit import build, say, spoken_casually
from stillpoint.turn_end import EndModel, TurnEndRules, TurnEvidence, decide, features, hangs
from voice.events import AudioFrame, SAMPLE_RATE, TurnEnded
from voice.turns import TurnSegmenter, TurnSettings
from voice.vad import make_vad

RULES = TurnEndRules()
FINISHED = dict(sound=0.97, words=0.6, clause=0.01, transcript="I think I'm just tired.")
OPEN = dict(sound=0.2, words=0.005, clause=0.3, transcript="I keep thinking about.")


def ends(rules=RULES, **kw) -> bool:
    return decide(TurnEvidence(**kw), rules).end


def probability(stage, **kw) -> float:
    return RULES.models[stage].probability(features(TurnEvidence(0, **kw)))


# -- the decision, with models made up for the test (the mechanism, whatever the fit) ----------------
TOY = TurnEndRules(models={
    "both": EndModel(("sound", "words"), (1.0, 1.0), 0.0, first=0.9, last=0.5),
    "sound": EndModel(("sound",), (1.0,), 0.0, first=0.99, last=0.95),
    "words": EndModel(("words",), (1.0,), 0.0, first=0.9, last=0.5),
})


def test_the_threshold_falls_as_the_silence_grows():
    # p = 0.75 (sound and words each at 0.634): not at the start, yes once the threshold has fallen that far
    both = dict(sound=0.634, words=0.634, transcript="It was fine")
    halfway = TOY.earliest_ms + (TOY.max_thinking_ms - TOY.earliest_ms) * (0.9 - 0.75) / (0.9 - 0.5)
    assert not ends(TOY, silence_ms=300, **both)
    assert not ends(TOY, silence_ms=halfway - 40, **both)
    assert ends(TOY, silence_ms=halfway + 40, **both)


def test_a_clear_end_is_taken_at_the_earliest_and_never_sooner():
    both = dict(sound=0.99, words=0.99, transcript="It was fine")
    assert ends(TOY, silence_ms=TOY.earliest_ms, **both)
    assert not ends(TOY, silence_ms=TOY.earliest_ms - 1, **both)


def test_the_words_are_awaited_unless_the_voice_alone_is_sure_enough():
    assert not ends(TOY, silence_ms=250, sound=0.9, words_pending=True)
    assert ends(TOY, silence_ms=250, sound=0.995, words_pending=True)


def test_without_any_signal_the_silence_alone_decides():
    assert not ends(silence_ms=RULES.unsure_ms - 1)
    assert ends(silence_ms=RULES.unsure_ms)
    assert not ends(silence_ms=RULES.unsure_ms, words_pending=True)  # the words will come: wait for them


def test_hanging_words_keep_the_turn_open_whatever_the_models_say():
    assert hangs("I went for a walk and.") and hangs("Because, um.") and hangs("I told my")
    assert not hangs("I think I'm just tired.") and not hangs("What was it about?")
    assert not ends(TOY, silence_ms=1500, sound=0.999, words=0.999, transcript="We had dinner and.")
    assert ends(TOY, silence_ms=TOY.max_thinking_ms, sound=0.2, words=0.01, transcript="We had dinner and.")


# -- the fitted models (stillpoint/turn_end_fit.py, from bench/turns.py --calibrate) -------------------
def test_the_fit_learned_what_each_signal_means():
    both = dict(zip(RULES.models["both"].names, RULES.models["both"].weights))
    assert both["sound"] > 0 and both["words"] > 0  # each says "finished" when it is high
    assert both["clause"] <= 0 and both["comma"] <= 0  # a likely comma, or one Whisper heard, never says "finished"
    assert probability("both", **FINISHED) > probability("both", **OPEN)
    likely_comma = dict(FINISHED, clause=0.4)
    assert probability("both", **likely_comma) < probability("both", **FINISHED)


def test_a_clearly_finished_thought_ends_as_soon_as_the_fit_allows():
    """As soon as it is read, or, if the fit holds the words back (`not_before_ms`: on the bench
    the words are ready ~0.27 s in, sooner than many pauses inside a thought end), right then."""
    hold = RULES.models["both"].not_before_ms
    assert ends(silence_ms=max(RULES.earliest_ms + 100, hold), **FINISHED)
    if hold > RULES.earliest_ms:
        assert not ends(silence_ms=hold - 1, **FINISHED)


def test_the_words_may_be_held_back_until_a_least_silence():
    held = TurnEndRules(models={**TOY.models, "both": EndModel(("sound", "words"), (1.0, 1.0), 0.0, first=0.9,
                                                                 last=0.5, not_before_ms=600)})
    both = dict(sound=0.99, words=0.99, transcript="It was fine")
    assert ends(TOY, silence_ms=300, **both) and not ends(held, silence_ms=599, **both) and ends(held, silence_ms=600, **both)


def test_an_unfinished_thought_waits_until_the_longest_thinking_pause():
    for silence in (300, 1000, 2000, 2400):
        assert not ends(silence_ms=silence, **OPEN)
    assert ends(silence_ms=RULES.max_thinking_ms, **OPEN)


# -- the signals, on the real models ------------------------------------------------------------
@pytest.fixture(scope="module")
def completion():
    from dialogue.completion import CompletionModel

    return CompletionModel()


def test_the_words_signal_separates_open_from_finished(completion):
    open_ = [completion.probability(t) for t in ("I keep thinking about.", "When I got home from work,",
                                                   "I went for a walk after dinner and.", "My mother,")]
    done = [completion.probability(t) for t in ("I think I'm just tired.", "It was a really hard day.",
                                                  "Thank you for listening.")]
    assert max(open_) < min(done), (open_, done)
    # Whisper's trailing period is removed: with it, "about." would read as an ending
    # (equal up to the float noise of re-using the model's cache)
    assert completion.probability("I keep thinking about") == pytest.approx(completion.probability("I keep thinking about."), rel=0.3)
    assert completion.probability("  ") is None
    # from the same read: a clause mark is likelier after an open clause than after a finished one
    assert completion.scores("When I got home from work")[1] > completion.scores("I think I'm just tired")[1]


def test_the_sound_signal_hears_a_finished_sentence_over_a_cut_one():
    from voice.smart_turn import SmartTurn

    model = SmartTurn()
    noise = build([0.2], seed=1, floor_dbfs=-50).audio
    finished = np.concatenate([say("I think I needed the quiet."), noise])
    cut = np.concatenate([say("I think I needed the quiet because")[: -SAMPLE_RATE // 3], noise])
    assert model.probability(finished) > model.probability(cut)
    assert 0.0 <= model.probability(np.zeros(100, np.float32)) <= 1.0


# -- the judge inside the segmenter, on recordings (real models; CPU-time costs) ------------------
@pytest.fixture(scope="module")
def judge(completion):
    from stillpoint.turn_judge import TurnJudge
    from voice.smart_turn import SmartTurn
    from voice.stt import Transcriber

    return TurnJudge(RULES, sound=SmartTurn().probability, transcribe=Transcriber().transcribe,
                     words=completion.scores, live=False)


def turns_of(audio, judge):
    seg = TurnSegmenter(make_vad("silero"), TurnSettings(end_of_turn_ms=RULES.max_thinking_ms), judge=judge)
    events = []
    for i in range(0, len(audio), 1600):
        events += seg.process(AudioFrame(audio[i : i + 1600], i / SAMPLE_RATE))
    return [e for e in events + seg.flush() if isinstance(e, TurnEnded)]


def test_an_open_thought_with_a_long_pause_is_one_turn_with_its_pause(judge):
    rec = build([0.6, spoken_casually("and then my sister called, and I just", 3), 1.2,
                 spoken_casually("I didn't know what to say to her.", 4), 3.0], seed=7, floor_dbfs=-41, kind="pink")
    (turn,) = turns_of(rec.audio, judge)
    assert not turn.forced
    (gap_start, gap), = rec.gaps()
    (pause,) = [p for p in turn.pauses if p.duration_s >= 0.5]
    assert abs(pause.start_s - gap_start) <= 0.1 and abs(pause.duration_s - gap) <= 0.1, pause


def test_the_judge_ends_the_turn_the_moment_its_evidence_allows(judge):
    """Inside the segmenter, the turn ends at the first step at which `decide` on what was ready by
    then says so — no later than the next frame — or, failing that, after the longest thinking
    pause. (How soon finished thoughts are known overall is bench/turns.py's figure.)"""
    rec = build([0.6, say("I think I'm just tired of pretending everything is fine."), 3.0], seed=8, floor_dbfs=-41)
    judge.last = judge.last_reading = None  # the fixture is shared by the module: no earlier turn's decision
    (turn,) = turns_of(rec.audio, judge)
    waited = turn.decided_s - turn.end_s
    if judge.last is None:  # nothing said "finished": the segmenter's own limit, the longest thinking pause
        assert waited == pytest.approx(RULES.max_thinking_ms / 1000, abs=0.11)
        return
    r = judge.last_reading
    first = next(t for t in range(int(r.begun_ms), 10_000, 5) if decide(judge._evidence(r, t), RULES).end)
    assert first / 1000 - 0.01 <= waited <= first / 1000 + 0.11, (first, waited, judge.last)


class ScriptedCosts:
    """Signals with set costs on a scripted clock (ms): what the judge's timing does, not the models."""

    def __init__(self, transcript_ms=150, words_ms=60, sound_ms=30):
        self.now = 0.0
        self.costs = dict(transcript=transcript_ms, words=words_ms, sound=sound_ms)
        self.calls: list[str] = []

    def clock(self):
        return self.now / 1000

    def _spend(self, name):
        self.calls.append(name)
        self.now += self.costs[name]

    def transcribe(self, audio):
        from voice.events import Transcript

        self._spend("transcript")
        return Transcript(text="I think I'm just tired.")

    def words(self, text):
        self._spend("words")
        return 0.6, 0.01

    def sound(self, audio):
        self._spend("sound")
        return 0.97


def scripted_judge(costs, live=False):
    from stillpoint.turn_judge import TurnJudge

    return TurnJudge(RULES, sound=costs.sound, transcribe=costs.transcribe, words=costs.words, live=live,
                     clock=costs.clock)


def test_the_words_are_read_from_the_moment_the_silence_begins():
    """The transcript and SmolLM2 start at the silence's onset (`prepare`), so by the time the
    sound is read (200 ms in) the words are nearly ready: the sound waits for the one worker."""
    from voice.events import TurnMayEnd

    costs = ScriptedCosts()
    judge = scripted_judge(costs)
    audio = np.zeros(SAMPLE_RATE, np.float32)
    judge.prepare(1.0, 1.032, audio)  # heard 32 ms into the silence
    offer = TurnMayEnd(0.0, 0.98, 1.2, audio)  # the speech end re-placed 20 ms earlier by then
    judge.begin(offer, audio)
    r = judge._reading
    assert costs.calls == ["transcript", "words", "sound"]  # one transcript per silence, not two
    assert r.ready_ms["transcript"] == pytest.approx(20 + 32 + 150)
    assert r.ready_ms["words"] == pytest.approx(20 + 32 + 150 + 60)
    assert r.ready_ms["sound"] == pytest.approx(20 + 32 + 150 + 60 + 30)
    future, ready_s = judge.early_transcript(offer)
    assert future.result().text == "I think I'm just tired." and ready_s == pytest.approx(0.98 + 0.202)
    # with nothing held back, a clear finish is taken once both are in, ~290 ms after the speech
    # stopped (the transcript used to start at 200 ms: ~900)
    first = next(t for t in range(200, 3000, 2) if decide(judge._evidence(r, t), TOY).end)
    assert r.ready_ms["sound"] <= first <= r.ready_ms["sound"] + 2, (first, r.ready_ms)


def test_a_silence_that_ends_in_speech_drops_its_early_reading():
    """Speculative: the person goes on, the segmenter cancels, and the next silence is read
    afresh (on a recording the worker is still charged for the stale work)."""
    from voice.events import TurnMayEnd

    costs = ScriptedCosts()
    judge = scripted_judge(costs)
    audio = np.zeros(SAMPLE_RATE, np.float32)
    judge.prepare(1.0, 1.032, audio)
    judge.cancel()
    judge.prepare(1.1, 1.132, audio)  # spoke 70 ms, stopped again: the worker is busy until 1.242
    judge.begin(TurnMayEnd(0.0, 1.1, 1.3, audio), audio)
    r = judge._reading
    assert r.ready_ms["transcript"] == pytest.approx(142 + 150)  # started when the stale job was done
    assert costs.calls.count("transcript") == 2


def test_live_a_stale_early_reading_that_has_not_started_never_runs():
    import threading

    from voice.events import Transcript, TurnMayEnd

    gate, calls = threading.Event(), []

    def slow_sound(audio):  # holds the worker
        gate.wait(5)
        return 0.5

    def transcribe(audio):
        calls.append(len(audio))
        return Transcript(text="and")

    from stillpoint.turn_judge import TurnJudge

    judge = TurnJudge(RULES, sound=slow_sound, transcribe=transcribe, words=lambda t: (0.1, 0.1), live=True)
    audio = np.zeros(SAMPLE_RATE, np.float32)
    judge.begin(TurnMayEnd(0.0, 0.5, 0.7, audio), audio)  # a reading without prepare: worker busy on the sound
    judge.cancel()
    judge.prepare(1.0, 1.03, audio[:100])  # queued behind it...
    judge.cancel()  # ...and dropped before it ran
    gate.set()
    judge.close()
    judge._pool.shutdown(wait=True)
    assert 100 not in calls


def test_the_segmenter_asks_for_the_words_as_soon_as_the_speech_stops():
    """On real speech: `prepare` comes within ~100 ms of where the speech really stopped, with
    the turn's audio up to then, before the offer; more speech cancels it."""
    calls = []

    class Spy:
        def prepare(self, end_s, at_s, audio):
            calls.append(("prepare", end_s, at_s, len(audio) / SAMPLE_RATE))

        def begin(self, offer, heard):
            calls.append(("begin", offer.end_s, offer.at_s, len(heard) / SAMPLE_RATE))

        def should_end(self, silence_ms, now_s):
            return False

        def cancel(self):
            calls.append(("cancel",))

    rec = build([0.6, say("I went for a walk after dinner and"), 1.0, say("it helped a little."), 1.0], seed=3,
                floor_dbfs=-41, kind="pink")
    seg = TurnSegmenter(make_vad("silero"), TurnSettings(end_of_turn_ms=10**6), judge=Spy())
    for i in range(0, len(rec.audio), 1600):
        seg.process(AudioFrame(rec.audio[i : i + 1600], i / SAMPLE_RATE))
    (gap_start, _), = rec.gaps()
    prepares = [c for c in calls if c[0] == "prepare"]
    first = next(c for c in prepares if c[1] >= gap_start - 0.15)
    assert first[2] - gap_start <= 0.15, first  # asked within 150 ms of the true end of speech
    assert first[3] == pytest.approx(first[2] - 0.6 + 0.3, abs=0.15)  # the turn so far (with its pre-roll)
    after = calls[calls.index(first) + 1 :]
    assert after[0][0] == "begin" and ("cancel",) in after  # offered at 200 ms; dropped when the speech resumed


def test_a_silence_answered_too_soon_is_still_the_persons():
    from stillpoint.turn_end import resumed_silence

    # spoke again while the reply was playing: the whole silence is theirs
    r = resumed_silence(10.0, 7, "and then my sister called", reply_start_s=10.6, reply_end_s=None, speech_start_s=11.4)
    assert (r.start_s, r.duration_s, r.turn_id, r.words_before) == (10.0, pytest.approx(1.4), 7, "and then my sister called")
    # just after it ended: still theirs; long after: a new turn, not a pause
    assert resumed_silence(10.0, 7, "", 10.6, 12.0, 13.0) is not None
    assert resumed_silence(10.0, 7, "", 10.6, 12.0, 14.0) is None


def test_settings_say_what_they_do_and_journaling_waits_longer():
    from stillpoint.config import Settings
    from stillpoint.journal import journal_settings
    from stillpoint.listening import Waits, segmenter_settings

    settings = Settings()
    talk = Waits.from_settings(settings)
    assert (talk.pace_ms, talk.max_thinking_ms) == (500, 2500)
    # one family: journaling's waits are `turns.journaling`, and they only ever raise talk's
    journal = Waits.from_settings(journal_settings(settings))
    assert journal.end_of_turn_ms == settings.turns.journaling.end_of_turn_ms > talk.end_of_turn_ms
    assert not journal.smart  # an entry ends on a long quiet alone: pauses of several seconds stay in it
    assert journal_settings(settings).turns.max_turn_s == settings.turns.journaling.max_turn_s
    # judged: the segmenter only holds the turn open this long; the judge ends it sooner
    assert segmenter_settings(settings, judged=True).end_of_turn_ms == 2500
    # without a judge (end_detection: silence, or models missing) the fallback ends every turn
    assert segmenter_settings(settings, judged=False).end_of_turn_ms == 800
    silence = Settings.model_validate({"turns": {"end_detection": "silence"}})
    assert not Waits.from_settings(silence).smart


def test_the_calibration_items_share_no_sentence_with_the_measured_set():
    """The decision is fitted on calibration items only; the measured set stays held out."""
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "bench"))
    from turn_set import CALIBRATION, FINISHED, MORE_FINISHED, MORE_UNFINISHED, UNFINISHED

    measured = {t for _, a, b in UNFINISHED[CALIBRATION:] for t in (a, b)} | set(FINISHED[CALIBRATION:])
    calibration = {t for _, a, b in UNFINISHED[:CALIBRATION] + MORE_UNFINISHED for t in (a, b)}
    calibration |= set(FINISHED[:CALIBRATION] + MORE_FINISHED)
    assert len(UNFINISHED[:CALIBRATION] + MORE_UNFINISHED) == len(FINISHED[:CALIBRATION] + MORE_FINISHED) == 50
    assert not measured & calibration
