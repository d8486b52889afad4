"""Each language-model backend, against the real thing where it can run here."""

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from dialogue.companion import Companion
from dialogue.llm.base import BackendUnavailable, ChatMessage
from dialogue.llm.embedded import bundled_model_path
from dialogue.llm.ollama_backend import OllamaBackend
from dialogue.llm.openai_backend import OpenAIBackend
from dialogue.persona import BACKEND_DOWN_NOTICE
from ollama_standin import OllamaStandIn

MESSAGES = [ChatMessage("system", "You are a kind assistant."), ChatMessage("user", "Say hello in one sentence.")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_embedded_streams_real_text(embedded_backend):
    pieces = list(embedded_backend.stream_chat(MESSAGES, max_tokens=24, temperature=0.2))
    assert len(pieces) > 1 and "".join(pieces).strip()


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    """The real llama.cpp server (llama_cpp.server) running the bundled model."""
    port = free_port()
    log = open(tmp_path_factory.mktemp("llama") / "server.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(bundled_model_path()), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "2048", "--model_alias", "smollm2"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(base + "/models", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
        if proc.poll() is not None:
            log.seek(0)
            pytest.fail("llama_cpp.server exited: " + log.read()[-2000:])
    else:
        proc.kill()
        pytest.fail("llama_cpp.server did not start")
    yield base
    proc.terminate()
    proc.wait(10)


def test_openai_backend_streams_from_llama_cpp_server(llama_server):
    backend = OpenAIBackend(base_url=llama_server, model="smollm2")
    pieces = list(backend.stream_chat(MESSAGES, max_tokens=24, temperature=0.2))
    assert len(pieces) > 1 and "".join(pieces).strip()


def test_companion_on_openai_backend(llama_server):
    companion = Companion(OpenAIBackend(base_url=llama_server, model="smollm2"))
    reply = list(companion.respond("I feel a bit lonely tonight."))
    assert reply and all(s.source in ("model", "repertoire") for s in reply)
    assert companion.last_trace.backend.startswith("openai-compatible smollm2")


def test_ollama_backend_speaks_the_chat_protocol(embedded_backend):
    with OllamaStandIn(embedded_backend) as server:
        backend = OllamaBackend(host=server.host, model="llama3.2:3b", keep_alive="10m", options={"top_k": 20})
        pieces = list(backend.stream_chat(MESSAGES, max_tokens=20, temperature=0.3))
        assert len(pieces) > 1 and "".join(pieces).strip()
        sent = server.requests[-1]
        assert sent["model"] == "llama3.2:3b" and sent["stream"] is True and sent["keep_alive"] == "10m"
        assert sent["options"] == {"temperature": 0.3, "num_predict": 20, "top_k": 20}
        assert sent["messages"][1] == {"role": "user", "content": "Say hello in one sentence."}


def test_ollama_missing_model_is_unavailable(embedded_backend):
    with OllamaStandIn(embedded_backend, models=()) as server:
        backend = OllamaBackend(host=server.host, model="llama3.2:3b")
        with pytest.raises(BackendUnavailable, match="not found"):
            list(backend.stream_chat(MESSAGES, max_tokens=8, temperature=0.2))


@pytest.mark.parametrize("kind", ["ollama", "openai"])
def test_a_backend_that_is_down_is_announced_and_the_embedded_model_takes_over(kind, embedded_backend):
    port = free_port()  # nothing listens here
    backend = (
        OllamaBackend(host=f"http://127.0.0.1:{port}", model="llama3.2:3b", timeout_s=3)
        if kind == "ollama"
        else OpenAIBackend(base_url=f"http://127.0.0.1:{port}/v1", model="x", timeout_s=3)
    )
    companion = Companion(backend, embedded_factory=lambda: embedded_backend)
    reply = list(companion.respond("Work has been so stressful this week."))
    assert reply[0].text == BACKEND_DOWN_NOTICE and reply[0].source == "notice"
    assert len(reply) >= 2 and reply[1].source == "repertoire"  # the embedded model does not speak freely
    assert companion.last_trace.fell_back_to_embedded
    assert companion.backend is embedded_backend
    # later turns go straight to the embedded model, with no second notice
    again = list(companion.respond("I just need to rest."))
    assert again and all(s.source != "notice" for s in again)


def test_down_backend_without_fallback_still_answers_safely():
    port = free_port()
    companion = Companion(OpenAIBackend(base_url=f"http://127.0.0.1:{port}/v1", model="x", timeout_s=3))
    reply = list(companion.respond("My week was long and tiring."))
    assert reply and all(s.source == "repertoire" for s in reply) and companion.last_trace.used_fallback_line
