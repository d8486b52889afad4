"""Recordings of any common format, rate, width or channel count become the same 16 kHz stream."""

import numpy as np
import pytest
import soundfile as sf

from speechkit import LJ_DIR, lj_transcript
from voice.errors import AudioInputError
from voice.events import SAMPLE_RATE
from voice.sources import FileSource

CLIP = "LJ001-0008"  # "has never been surpassed."


def read_all(path):
    frames = list(FileSource(path).frames())
    starts = [f.start_s for f in frames]
    assert starts == sorted(starts)
    for a, b in zip(frames, frames[1:]):
        assert abs(a.end_s - b.start_s) < 1e-9  # frames are contiguous on the audio clock
    return np.concatenate([f.samples for f in frames]) if frames else np.zeros(0, np.float32)


def test_lj_clip_is_resampled_to_16k():
    info = sf.info(LJ_DIR / f"{CLIP}.wav")
    audio = read_all(LJ_DIR / f"{CLIP}.wav")
    assert info.samplerate == 22050
    assert abs(len(audio) / SAMPLE_RATE - info.duration) < 0.01
    assert audio.dtype == np.float32 and np.abs(audio).max() <= 1.0


@pytest.mark.parametrize(
    "rate, channels, subtype, fmt",
    [
        (48000, 2, "PCM_16", "WAV"),
        (8000, 1, "PCM_U8", "WAV"),
        (44100, 2, "PCM_24", "FLAC"),
        (22050, 1, "FLOAT", "WAV"),
        (44100, 1, "MPEG_LAYER_III", "MP3"),
    ],
)
def test_odd_formats_give_the_same_words(tmp_path, transcriber, rate, channels, subtype, fmt):
    import soxr

    source, source_rate = sf.read(LJ_DIR / f"{CLIP}.wav", dtype="float32")
    audio = soxr.resample(source, source_rate, rate)
    if channels == 2:
        audio = np.stack([audio, audio * 0.9], axis=1)
    path = tmp_path / f"clip.{fmt.lower()}"
    sf.write(path, audio, rate, subtype=subtype, format=fmt)
    decoded = read_all(path)
    assert abs(len(decoded) / SAMPLE_RATE - len(source) / source_rate) < 0.15
    text = transcriber.transcribe(decoded).text.lower()
    assert "never" in text and "surpassed" in text, text


def test_not_audio_is_refused_clearly(tmp_path):
    junk = tmp_path / "notes.wav"
    junk.write_text("this is a shopping list, not a recording\n" * 50)
    with pytest.raises(AudioInputError, match="not an audio file"):
        FileSource(junk)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(AudioInputError, match="no such file"):
        FileSource(tmp_path / "nope.wav")
    with pytest.raises(AudioInputError, match="folder"):
        FileSource(tmp_path)


def test_empty_wav_yields_nothing(tmp_path):
    path = tmp_path / "empty.wav"
    sf.write(path, np.zeros(0, np.float32), 16000)
    assert len(read_all(path)) == 0


def test_alsa_sample_is_read(transcriber):
    path = "/usr/share/sounds/alsa/Front_Center.wav"
    audio = read_all(path)
    assert len(audio) > SAMPLE_RATE // 2
    assert "front" in transcriber.transcribe(audio).text.lower()
