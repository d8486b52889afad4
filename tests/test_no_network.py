"""Issue 7, finding 4: the default configuration uses no network at all, and a loopback backend
touches nothing but loopback.

Three proofs, from strongest to most specific:
- a full default `talk --input` runs to the end inside an empty network namespace (`unshare -rn`:
  no interface but a downed loopback, so no DNS and no connection could succeed), traced with
  strace, which sees every socket the process (and its C libraries, onnxruntime included) opens.
  Before the fix this trace showed onnxruntime's telemetry resolving its collector (DNS to port 53
  from onnxruntime's own threads) and a ~/.cache/Microsoft folder appeared;
- with a loopback Ollama backend, a Python audit hook on `socket.*` sees only loopback addresses;
- onnxruntime's telemetry is switched off by its own API before any model loads.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT
from ollama_standin import OllamaStandIn
from speechkit import build, say

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def _unshare_net_works() -> bool:
    try:
        return subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0
    except FileNotFoundError:
        return False


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    folder = tmp_path_factory.mktemp("speech")
    return build([0.5, say("I could not sleep again last night."), 4.0], seed=11).write(folder / "in.wav")


@pytest.mark.skipif(not _unshare_net_works(), reason="unshare -rn (user + network namespaces) not available")
def test_default_talk_runs_whole_inside_an_empty_network_namespace(tmp_path, speech):
    out = tmp_path / "reply.wav"
    talk = [sys.executable, "-m", "stillpoint.cli", "talk", "--input", str(speech), "--output", str(out), "--json"]
    trace = tmp_path / "strace.log"
    strace = shutil.which("strace")
    if strace:  # every socket syscall of every thread and child, C libraries included
        talk = [strace, "-f", "-qq", "-e", "trace=socket,connect,sendto,sendmsg", "-o", str(trace), *talk]
    home = tmp_path / "home"  # where onnxruntime's telemetry would keep a device id and an event database
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}  # Stillpoint must set it itself
    result = subprocess.run(["unshare", "-rn", *talk], capture_output=True, text=True, timeout=600,
                            cwd=str(ROOT), env={**env, "HOME": str(home)})
    assert result.returncode == 0, result.stderr
    turns = [json.loads(line) for line in result.stdout.splitlines()]
    assert [t["speaker"] for t in turns] == ["user", "companion"] and "sleep" in turns[0]["text"].lower()
    assert out.exists()
    assert not (home / ".cache" / "Microsoft").exists()
    if strace:
        calls = trace.read_text().splitlines()
        inet = [c for c in calls if "AF_INET" in c or "sin_port" in c or "sin6_port" in c]
        assert inet == [], inet[:10]


def test_onnxruntime_telemetry_is_disabled_before_models_load(monkeypatch):
    import onnxruntime

    from stillpoint.engine import components

    assert os.environ.get("ORT_DISABLE_TELEMETRY") == "1"  # set on importing stillpoint, before onnxruntime loads
    calls = []
    monkeypatch.setattr(onnxruntime, "disable_telemetry_events", lambda: calls.append("off"))
    def first_model(*args, **kwargs):  # the first onnxruntime-backed model build_pipeline loads
        raise RuntimeError("stop")

    monkeypatch.setattr(components, "Transcriber", first_model)
    with pytest.raises(RuntimeError):
        components.build_pipeline(components.Settings(), components.Progress(quiet=True))
    assert calls == ["off"]


HOOKED_CLI = textwrap.dedent("""
    import json, sys
    log = open(sys.argv[1], "w")

    def hook(event, args):
        if event.startswith("socket."):
            log.write(json.dumps([event, repr(args)]) + "\\n")
            log.flush()

    sys.addaudithook(hook)
    from stillpoint.cli import main
    sys.argv = ["stillpoint", *sys.argv[2:]]
    main()
""")


def test_loopback_backend_touches_only_loopback(tmp_path, speech):
    with OllamaStandIn(llm=None, scripted=lambda messages: "That sounds hard. What kept you awake?") as ollama:
        config = tmp_path / "c.yaml"
        config.write_text(f"llm:\n  backend: ollama\n  fallback_to_embedded: false\n  ollama:\n    host: {ollama.host}\n")
        events = tmp_path / "events.jsonl"
        result = subprocess.run(
            [sys.executable, "-c", HOOKED_CLI, str(events), "--config", str(config), "talk", "--input", str(speech),
             "--output", str(tmp_path / "o.wav"), "--json"],
            capture_output=True, text=True, timeout=600, cwd=str(ROOT), env=dict(os.environ))
        assert result.returncode == 0, result.stderr
        assert ollama.requests, "the loopback backend was never asked"
    seen = [json.loads(line) for line in events.read_text().splitlines()]
    assert any(event == "socket.connect" for event, _ in seen)  # the hook does see the backend's connection
    for event, args in seen:
        if event in ("socket.connect", "socket.sendto", "socket.bind"):
            assert any(f"'{host}'" in args for host in LOOPBACK), (event, args)
        if event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr"):
            assert any(f"'{host}'" in args for host in LOOPBACK), (event, args)
