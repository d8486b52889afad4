"""An optional second opinion on crisis language from a safety model served by Ollama.

Llama Guard 3 answers a chat with `safe` or `unsafe` followed by hazard codes; S11 is
"Suicide & Self-Harm", S1 "Violent Crimes". Its answer can only raise the level the rules gave
(see `dialogue.safety.assess_with`); when it is unreachable it is simply not consulted.
"""

from __future__ import annotations

from ..safety import Level


class OllamaSafetyModel:
    def __init__(self, *, host: str, model: str = "llama-guard3:1b", timeout_s: float = 10.0):
        import ollama

        self._client = ollama.Client(host=host, timeout=timeout_s)
        self.model = model

    def classify(self, text: str) -> Level | None:
        try:
            response = self._client.chat(model=self.model, messages=[{"role": "user", "content": text}], stream=False)
        except Exception:
            return None
        answer = (response.message.content or "").strip().lower()
        if not answer.startswith("unsafe"):
            return "none" if answer.startswith("safe") else None
        codes = answer.split()[1:] if len(answer.split()) > 1 else answer.splitlines()[1:]
        codes = {c.strip(", ").upper() for c in codes}
        return "acute" if codes & {"S11", "S1"} else "concern"
