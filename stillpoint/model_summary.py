"""An optional summary written by a capable language model, only from what the person chose to share.

The extractive summaries (the person's own sentences) stay the default. This is offered only
when a larger backend (Ollama or an OpenAI-compatible server) is configured: the embedded 135M
model cannot summarise a week faithfully. The text it writes is shown for approval before it
goes into any file, and is marked in the file as written by a model.
"""

from __future__ import annotations

from dialogue.llm.base import BackendUnavailable, ChatBackend, ChatMessage

CAPABLE_BACKENDS = ("ollama", "openai")

INSTRUCTION = (
    "You help a person prepare for their next therapy session. Below are notes they chose to share from their "
    "journal and conversations. Write a short, plain summary of at most four sentences, in the second person "
    "(\"You wrote about…\"), using only what the notes say. Do not give advice, do not interpret, do not diagnose, "
    "do not add anything that is not in the notes."
)


class ModelSummaryUnavailable(Exception):
    """No capable model is configured, or it did not answer; the message says which."""


def write_summary(backend: ChatBackend, shared_text: str, *, max_tokens: int = 220) -> str:
    messages = [ChatMessage("system", INSTRUCTION), ChatMessage("user", shared_text[:12000])]
    try:
        text = "".join(backend.stream_chat(messages, max_tokens=max_tokens, temperature=0.2)).strip()
    except BackendUnavailable as error:
        raise ModelSummaryUnavailable(f"The language model did not answer ({error}); the summary stays extractive.") from None
    if not text:
        raise ModelSummaryUnavailable("The language model returned nothing; the summary stays extractive.")
    return text
