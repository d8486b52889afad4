"""The page's small parts, without a browser: crisis links, pause marks, breathing cues, icons, limits."""

from __future__ import annotations

import json
import zlib

import pytest

from dialogue.crisis import DEFAULT_RESOURCES


def test_every_region_gets_tap_to_call_links_for_the_numbers_it_says():
    from stillpoint.page.protocol import resource_links

    links = {region: [(link.label, link.href) for link in resource_links(text).links]
             for region, text in DEFAULT_RESOURCES.items()}
    assert links["US"] == [("Call 988", "tel:988"), ("Text 988", "sms:988"), ("Call 911", "tel:911")]
    assert links["UK"] == [("Call 116 123", "tel:116123"), ("Call 999", "tel:999")]
    assert links["AU"] == [("Call 13 11 14", "tel:131114"), ("Call 000", "tel:000")]
    assert ("Text 1737", "sms:1737") in links["NZ"]
    assert links["OTHER"] == []  # no number to call: the text still says where to look


def test_pause_marks_fall_between_the_words_around_them():
    from stillpoint.page.bridge import pieces_with_pauses
    from voice.events import Pause

    pieces = pieces_with_pauses("I went to see my sister and it was hard", 0.0, 6.0, [Pause(2.0, 1.4)])
    assert pieces[1] == {"pause_s": 1.4}
    assert pieces[0]["words"].startswith("I went") and pieces[2]["words"].endswith("was hard")
    assert pieces_with_pauses("", 0.0, 1.0, []) == []


def test_breathing_circle_cues_are_the_exercise_plan_and_only_it():
    """The circle follows the plan the exercise's audio carries (`SpeechAudio.schedule`), cue for cue;
    counts are not phases, and speech with no plan (whatever its words) never moves it."""
    import numpy as np

    from dialogue.breathing import parse_pattern
    from stillpoint.breathe import make_plan
    from stillpoint.page.bridge import _cues_for
    from voice.events import SpeechAudio

    plan = make_plan(parse_pattern("box"), cycles=2, minutes=None, night=False, counts=True, tones_only=False,
                     tones_after_first=False, start_s=3.5)
    speech = SpeechAudio("Let's breathe.", np.zeros(22050 * 40, np.float32), 22050, schedule=plan.as_dict())
    cues = [(c.phase, c.offset_ms, c.duration_ms) for c in _cues_for(speech)]
    assert cues == [("in", 3500, 4000), ("hold", 7500, 4000), ("out", 11500, 4000), ("rest", 15500, 4000),
                    ("in", 19500, 4000), ("hold", 23500, 4000), ("out", 27500, 4000), ("rest", 31500, 4000)]
    assert _cues_for(SpeechAudio("I'm in a bad place, and I want out. Hold on.", np.zeros(100, np.float32), 22050)) == []


def test_the_icon_is_a_real_png_and_the_manifest_points_at_it():
    from stillpoint.page.icons import ICON_SIZES, icon_png, manifest_json

    png = icon_png(192)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (192, 192)
    idat = png[png.index(b"IDAT") + 4: png.index(b"IEND") - 8]
    assert len(zlib.decompress(idat)) == 192 * (1 + 192 * 3)
    manifest = json.loads(manifest_json())
    assert manifest["display"] == "standalone" and {i["sizes"] for i in manifest["icons"]} == {f"{s}x{s}" for s in ICON_SIZES}


def test_a_flood_is_cut_to_the_sustained_rate():
    from stillpoint.page.protocol import RateLimiter

    now = [0.0]
    limiter = RateLimiter(per_s=10, burst=5, clock=lambda: now[0])
    assert sum(limiter.allow() for _ in range(50)) == 5  # the burst, then nothing
    now[0] += 1.0
    assert sum(limiter.allow() for _ in range(50)) == 5  # refilled at 10/s, capped at the burst


@pytest.mark.parametrize("text, code", [
    ("{", "bad_json"), ('{"type": "say", "text": ""}', "bad_event"), ('{"type": "ptt", "down": "yes please"}', "bad_event"),
    ('{"type": "start", "mode": "talk", "admin": true}', "bad_event"), ("x" * 5000, "too_large"),
])
def test_bad_events_are_named(text, code):
    from stillpoint.page.protocol import BadEvent, Limits, parse_client_event

    with pytest.raises(BadEvent) as bad:
        parse_client_event(text, Limits())
    assert bad.value.code == code


def test_the_token_is_kept_only_as_its_hash(tmp_path):
    from stillpoint.page.access import AccessPolicy, hash_token
    from stillpoint.page.lan import load_or_create_token

    digest, token = load_or_create_token(tmp_path)
    assert token and digest == hash_token(token) and token not in (tmp_path / "page-token.sha256").read_text()
    again, shown = load_or_create_token(tmp_path)
    assert again == digest and shown is None
    renewed, new = load_or_create_token(tmp_path, renew=True)
    assert new and renewed != digest
    policy = AccessPolicy(token_sha256=renewed)
    assert policy.token_ok(new) and not policy.token_ok(token) and not policy.token_ok("") and not policy.token_ok(None)
