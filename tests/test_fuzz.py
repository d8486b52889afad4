"""Issue 7: fuzzing (hypothesis) of the config loader, the audio readers and the page's routes.

Every input must give a clear error (ConfigError, AudioInputError, a 4xx) or a valid result,
never a traceback or a 500. Examples are bounded so the whole file runs in well under a minute.
"""

import io
import string
from urllib.parse import urlsplit

import numpy as np
import pytest
import soundfile as sf
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
                derandomize=True)

# -- config loader -------------------------------------------------------------------------------

SECTIONS = {
    "turns": ["pause_min_ms", "end_of_turn_ms", "speech_confirm_ms", "min_turn_speech_ms", "max_turn_s", "preroll_ms"],
    "vad": ["engine", "silero_threshold", "webrtc_aggressiveness"],
    "llm": ["backend", "max_reply_tokens", "temperature", "history_tokens", "embedded", "ollama"],
    "memory": ["recall", "checkin_after_s", "cue_min_pause_s", "cue_min_latency_s"],
    "safety": ["region", "resources", "crisis_length_scale"],
    "stt": ["model", "compute_type", "language", "beam_size"],
    "tts": ["voice", "length_scale", "sentence_silence_ms"],
}
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                    st.text(max_size=20), st.lists(st.integers(), max_size=3))
section = st.sampled_from(sorted(SECTIONS)).flatmap(
    lambda name: st.tuples(st.just(name), st.dictionaries(
        st.one_of(st.sampled_from(SECTIONS[name]), st.text(min_size=1, max_size=8)), scalars, max_size=4)))
documents = st.one_of(
    st.lists(section, max_size=4).map(dict),
    st.dictionaries(st.text(max_size=8), scalars, max_size=3),
    scalars,
)


@FAST
@given(documents)
def test_config_loader_gives_settings_or_a_clear_error(tmp_path, document):
    from stillpoint.config import ConfigError, Settings, load_settings

    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    try:
        assert isinstance(load_settings(path, use_user_file=False), Settings)
    except ConfigError as error:
        assert str(error).strip() and str(path) in str(error)


@FAST
@given(st.binary(max_size=300))
def test_config_loader_survives_any_bytes(tmp_path, data):
    from stillpoint.config import ConfigError, Settings, load_settings

    path = tmp_path / "fuzz.yaml"
    path.write_bytes(data)
    try:
        assert isinstance(load_settings(path, use_user_file=False), Settings)
    except ConfigError as error:
        assert str(path) in str(error)


# -- audio readers ---------------------------------------------------------------------------------

def _wav_bytes(rate: int, channels: int, subtype: str, seconds: float) -> bytes:
    buffer = io.BytesIO()
    samples = np.random.default_rng(0).uniform(-0.5, 0.5, (max(1, int(rate * seconds)), channels))
    sf.write(buffer, samples, rate, subtype=subtype, format="WAV")
    return buffer.getvalue()


def _read_all(path):
    from voice.errors import AudioInputError
    from voice.events import SAMPLE_RATE
    from voice.sources import FileSource

    try:
        source = FileSource(path)
        total = 0
        for frame in source.frames():
            assert frame.samples.dtype == np.float32 and frame.samples.ndim == 1
            assert np.isfinite(frame.samples).all()
            total += len(frame.samples)
        assert total <= SAMPLE_RATE * 30
    except AudioInputError as error:
        assert str(error).strip()


@FAST
@given(st.binary(max_size=2000))
def test_audio_reader_refuses_or_reads_any_bytes(tmp_path, data):
    path = tmp_path / "fuzz.wav"
    path.write_bytes(data)
    _read_all(path)


@FAST
@given(rate=st.sampled_from([8000, 11025, 16000, 22050, 44100, 48000, 96000]), channels=st.integers(1, 6),
       subtype=st.sampled_from(["PCM_16", "PCM_U8", "PCM_24", "PCM_32", "FLOAT", "DOUBLE", "ULAW", "ALAW"]),
       cut=st.floats(0, 1), flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=6))
def test_audio_reader_handles_damaged_real_wavs(tmp_path, rate, channels, subtype, cut, flips):
    data = bytearray(_wav_bytes(rate, channels, subtype, 0.3))
    for position, value in flips:  # corrupt header or body bytes
        data[position % len(data)] = value
    data = data[: max(1, int(len(data) * cut))] if cut < 0.98 else data  # and/or truncate
    path = tmp_path / "fuzz.wav"
    path.write_bytes(bytes(data))
    _read_all(path)


# -- the page's routes -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from starlette.testclient import TestClient

    from dialogue.cues import Cue
    from dialogue.store import Store
    from stillpoint.web import create_app

    store = Store(tmp_path_factory.mktemp("page") / "stillpoint.db")
    sid = store.start_session("file:x.wav")
    tid = store.add_turn(sid, "user", "I keep thinking about it.", 0, 2, pauses=[(0.5, 0.6)])
    store.add_cue(sid, tid, Cue("pause", 0.5, 0.6, "I keep", "thinking"))
    with TestClient(create_app(store), base_url="http://127.0.0.1:8765", raise_server_exceptions=False) as client:
        yield client


segment = st.one_of(st.sampled_from(["", "sessions", "cues", "dismiss", "export", "1", "0", "-1", "99999999999999999999",
                                     "%C2%B2", "..", "%2e%2e", "%00", "²"]),
                    st.text(string.ascii_letters + string.digits + "%._-~", max_size=12))
query_value = st.one_of(st.sampled_from(["1", "", "%C2%B2", "-1", "1e9", "99999999999999999999", "javascript:x",
                                          "//evil.example", "/sessions/1"]), st.text(max_size=12))


@FAST
@given(method=st.sampled_from(["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"]),
       parts=st.lists(segment, min_size=1, max_size=4),
       query=st.lists(st.tuples(st.sampled_from(["s", "next", "x"]), query_value), max_size=5),
       host=st.sampled_from(["127.0.0.1:8765", "localhost:8765", "[::1]:8765", "evil.example", "", "[::1"]),
       origin=st.sampled_from([None, "http://127.0.0.1:8765", "http://evil.example", "null"]))
def test_page_routes_never_fail_with_a_server_error(page, method, parts, query, host, origin):
    headers = {"Host": host} if host else {}
    if origin:
        headers["Origin"] = origin
    response = page.request(method, "http://127.0.0.1:8765/" + "/".join(parts), params=query, headers=headers, follow_redirects=False)
    assert response.status_code < 500, (method, parts, query, response.status_code)
    if response.status_code in (301, 302, 303, 307, 308):  # only ever to this server (Starlette's slash redirects
        location = urlsplit(response.headers["location"])  # are absolute, on the already-allowed Host)
        assert location.netloc in ("", host) and location.scheme in ("", "http"), response.headers["location"]
    assert "frame-ancestors 'none'" in response.headers.get("content-security-policy", "")
