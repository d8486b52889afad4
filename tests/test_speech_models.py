"""The bundled speech models on real speech."""

import numpy as np
import pytest
import soxr

from speechkit import LJ_DIR, build, lj, lj_transcript, say, word_errors, words
from voice.events import SAMPLE_RATE
from voice.sources import FileSource

LJ_CLIPS = sorted(p.stem for p in LJ_DIR.glob("*.wav"))


def test_lj_word_error_rate_is_at_most_15_percent(transcriber):
    assert LJ_CLIPS, "the LJ Speech clips in tests/data/ljspeech are missing"
    errors = total = 0
    for clip in LJ_CLIPS:
        audio = np.concatenate([f.samples for f in FileSource(LJ_DIR / f"{clip}.wav").frames()])
        ref, hyp = words(lj_transcript(clip)), words(transcriber.transcribe(audio).text)
        errors += word_errors(ref, hyp)
        total += len(ref)
    wer = errors / total
    print(f"WER on {len(LJ_CLIPS)} LJ clips: {wer:.3f}")
    assert wer <= 0.15


@pytest.mark.parametrize("kind", ["digital silence", "room noise", "hum"])
def test_no_text_is_invented_on_silence(transcriber, kind):
    rng = np.random.default_rng(3)
    n = 3 * SAMPLE_RATE
    audio = {
        "digital silence": np.zeros(n, np.float32),
        "room noise": (rng.standard_normal(n) * 0.003).astype(np.float32),
        "hum": (0.01 * np.sin(2 * np.pi * 50 * np.arange(n) / SAMPLE_RATE)).astype(np.float32),
    }[kind]
    assert transcriber.transcribe(audio).text == ""


def test_piper_speaks_sentence_by_sentence_and_whisper_understands_it(synthesizer, transcriber):
    chunks = list(synthesizer.synthesize("Take a slow breath in. Now let it go."))
    assert len(chunks) == 2
    assert all(c.sample_rate == 22050 and c.duration_s > 0.5 for c in chunks)
    audio = soxr.resample(np.concatenate([c.samples for c in chunks]), 22050, SAMPLE_RATE).astype(np.float32)
    heard = words(transcriber.transcribe(audio).text)
    assert {"slow", "breath", "let", "go"} <= set(heard), heard


def test_a_configured_voice_path_that_is_missing_is_explained(tmp_path):
    from voice.errors import VoiceError
    from voice.tts import Synthesizer

    with pytest.raises(VoiceError, match=r"\.onnx\.json"):
        Synthesizer(str(tmp_path / "en_GB-nobody.onnx"))


def test_an_uncached_whisper_name_fails_without_downloading():
    from voice.errors import VoiceError
    from voice.stt import Transcriber

    with pytest.raises(VoiceError, match="could not be loaded"):
        Transcriber("large-v3-not-cached-here")


def test_phone_numbers_are_spoken_digit_by_digit(synthesizer, transcriber):
    from voice.tts import speakable

    assert speakable("You can call Samaritans on 116 123.") == "You can call Samaritans on 1 1 6, 1 2 3."
    assert speakable("In 2024 I moved house.") == "In 2024 I moved house."
    audio = np.concatenate([c.samples for c in synthesizer.synthesize("You can call or text 988 at any hour.")])
    heard = transcriber.transcribe(soxr.resample(audio, 22050, SAMPLE_RATE).astype(np.float32)).text.lower()
    digits = "".join(ch for ch in heard if ch.isdigit()) or heard
    assert "988" in digits or "nine eight eight" in heard.replace(",", ""), heard
