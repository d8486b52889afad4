"""The companion's policy: what to send the model, and what of its answer may be spoken.

One `respond(user_text)` step per user turn. It builds the prompt (persona + history trimmed to
a token budget), streams the model's reply through the sentence chunker and the reply guard,
and yields sentences ready to speak. If the configured backend is down it says so aloud and
carries on with the embedded model; if the model's words fail the guard before anything was
said, it answers with a reflection built from the user's own words. Whatever the model does,
what comes out is short, honest and safe.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from .chunker import sentences
from .guard import ReplyGuard
from .crisis import CrisisResources, acute_response, concern_response
from .honesty import OPENING_DISCLOSURE
from .safety import SafetyAssessment, SecondOpinion, assess_with
from .llm.base import BackendUnavailable, ChatBackend, ChatMessage
from .persona import BACKEND_DOWN_NOTICE, LISTENING_LINE, SYSTEM_PROMPT
from .practices import BREATHING, wants_breathing
from .replies import PlannedSentence, Replier, ReplyPlan
from .understanding import Reading, Understanding

log = logging.getLogger(__name__)

SentenceSource = Literal["model", "fallback", "notice", "fixed", "safety", "practice", "repertoire"]


@dataclass(frozen=True)
class ReplySentence:
    text: str
    source: SentenceSource
    why: str = ""  # why this sentence was chosen (`chat --explain`)


@dataclass
class ReplyTrace:
    """What happened while producing one reply, for the turn's stored timings."""

    backend: str = ""
    first_token_s: float | None = None  # seconds from the start of respond()
    guard_reasons: list[str] = field(default_factory=list)
    fell_back_to_embedded: bool = False
    used_fallback_line: bool = False


def reading_brief(reading: Reading) -> str:
    """The understanding layer's reading, for a capable model's prompt (OARS style, no advice)."""
    parts = [f"The person seems to be expressing: {reading.intent.replace('_', ' ')}."]
    if reading.feeling:
        parts.append(f"They used the feeling word '{reading.feeling}'.")
    if reading.people:
        parts.append(f"They mentioned {', '.join(reading.people)}.")
    if reading.topic and reading.topic not in reading.people:
        parts.append(f"They talked about {reading.topic}.")
    parts.append(
        "Answer in the style of motivational interviewing: one short reflection of their feeling or words, "
        "then at most one open question, or just a brief encourager. No advice, no instructions, no condolences "
        "unless they named a death, nothing about medicines."
    )
    return " ".join(parts)


def estimate_tokens(text: str) -> int:
    """About four characters per token for English, plus a little per message for the template."""
    return len(text) // 4 + 4


class Companion:
    def __init__(
        self,
        backend: ChatBackend,
        *,
        embedded_factory: Callable[[], ChatBackend] | None = None,
        max_reply_tokens: int = 96,
        temperature: float = 0.6,
        history_tokens: int = 1024,
        system_prompt: str = SYSTEM_PROMPT,
        resources: CrisisResources | None = None,
        second_opinion: SecondOpinion | None = None,
        model_speaks: bool | None = None,
        understanding: Understanding | None = None,
        replier: Replier | None = None,
    ):
        self.backend = backend
        self._embedded_factory = embedded_factory
        self.max_reply_tokens = max_reply_tokens
        self.temperature = temperature
        self.history_tokens = history_tokens
        self.system_prompt = system_prompt
        self.history: list[ChatMessage] = []
        self.last_trace = ReplyTrace()
        self.resources = resources or CrisisResources.for_region("auto")
        self.second_opinion = second_opinion
        self.last_assessment = SafetyAssessment("none")
        self.disclosure_pending = False  # set by the app: say what I am before the next reply
        self.opening: list[str] = []  # set by the app: said instead of the next model reply (recall, acknowledgements)
        self._resources_offered = False
        self._breath_offered = False  # the last reply offered to breathe together
        # Replies (issue 9): the embedded model never speaks freely (it did not beat the reviewed
        # repertoire in bench/replies.py); a capable backend does, through the guard, repertoire as fallback.
        self.model_speaks = (not backend.name.startswith("embedded")) if model_speaks is None else model_speaks
        self.understanding = understanding or Understanding()
        self.replier = replier or Replier()
        self.last_reading: Reading | None = None
        self.session_ended = False  # the person closed the session: live, stop listening

    def begin_session(self, recent_lines: list[str] | None = None) -> None:
        """A new session: no history, no lines said yet (recent sessions' lines are still avoided)."""
        self.history = []
        self.session_ended = False
        self._resources_offered = False
        self._breath_offered = False
        self.replier.begin_session(recent_lines)

    def messages_for(self, user_text: str) -> list[ChatMessage]:
        """Persona, then as much recent history as fits the budget, then the new user turn."""
        budget = self.history_tokens - estimate_tokens(self.system_prompt) - estimate_tokens(user_text)
        kept: list[ChatMessage] = []
        for message in reversed(self.history):
            cost = estimate_tokens(message.content)
            if cost > budget:
                break
            kept.append(message)
            budget -= cost
        kept.reverse()
        while kept and kept[0].role != "user":  # a history must not open with the companion
            kept.pop(0)
        return [ChatMessage("system", self.system_prompt), *kept, ChatMessage("user", user_text)]

    def remember(self, user_text: str, reply_text: str) -> None:
        self.history.append(ChatMessage("user", user_text))
        if reply_text:
            self.history.append(ChatMessage("assistant", reply_text))

    def _fixed(self, user_text: str, lines: list[str], source: SentenceSource) -> Iterator[ReplySentence]:
        for line in lines:
            yield ReplySentence(line, source)
        self.remember(user_text, " ".join(lines))

    def respond(self, user_text: str) -> Iterator[ReplySentence]:
        """Safety first (before any model sees the words), then honesty, then the model."""
        trace = ReplyTrace(backend=self.backend.name)
        self.last_trace = trace
        started = time.perf_counter()
        spoken: list[str] = []
        self.last_assessment = assessment = assess_with(user_text, self.second_opinion)
        offered, self._breath_offered = self._breath_offered, False
        if assessment.flagged:
            self.opening = []  # no returning to old silences in a hard moment
        if assessment.level == "acute":
            self.disclosure_pending = False  # the acute response says it is an AI
            self._resources_offered = True
            self._breath_offered = True
            yield from self._fixed(user_text, acute_response(self.resources), "safety")
            return
        if assessment.level == "concern":
            lines = concern_response(self.resources, offer_resources=not self._resources_offered)
            self._resources_offered = True
            yield from self._disclosure()
            yield from self._fixed(user_text, lines, "safety")
            return
        if not user_text.strip():
            yield ReplySentence(LISTENING_LINE, "fixed")
            return
        if wants_breathing(user_text, offered):
            yield from self._fixed(user_text, BREATHING, "practice")
            return
        # -- replies (issue 9): understand the turn, then a fixed policy or an OARS line ------------
        self.last_reading = reading = self.understanding.read(
            user_text, breath_offered=offered, medication_named=self.replier.session.medication_named)
        plan = self.replier.compose(reading)
        if plan.policy == "identity":
            self.disclosure_pending = False
        elif plan.policy == "closing":
            self.opening = []  # no recall on the way out; the disclosure waits for next time
        else:
            yield from self._disclosure()
            if self.opening:
                lines, self.opening = self.opening, []
                self.replier.remember_said(lines)
                for line in lines:
                    yield ReplySentence(line, "fixed", "opening: returning to an earlier silence, or answering about it")
                self.remember(user_text, " ".join(lines))
                return
        if plan.policy in ("identity", "closing", "medication", "dismissal") or not self.model_speaks:
            yield from self._planned(user_text, plan)
            return
        recent = [m.content for m in self.history[-6:] if m.role == "assistant"]
        messages = self.messages_for(user_text)
        messages[0] = ChatMessage("system", self.system_prompt + " " + reading_brief(reading))
        for attempt in range(2):
            guard = ReplyGuard(recent_replies=recent, user_text=user_text, said_this_session=self.replier.session.said,
                               loss_named=self.replier.session.loss_named)
            try:
                for sentence in self._guarded(messages, guard, trace, started):
                    spoken.append(sentence)
                    yield ReplySentence(sentence, "model", f"{self.backend.name} model, passed the guard")
                break
            except BackendUnavailable as error:
                log.warning("language model unavailable: %s", error)
                if spoken or attempt or self._embedded_factory is None:
                    break
                yield ReplySentence(BACKEND_DOWN_NOTICE, "notice")
                self.backend.close()
                self.backend = self._embedded_factory()
                self._embedded_factory = None
                trace.fell_back_to_embedded = True
                trace.backend = self.backend.name
                self.model_speaks = not self.backend.name.startswith("embedded")
                if not self.model_speaks:
                    break  # the embedded model does not speak freely: the repertoire answers
        if not spoken:
            trace.used_fallback_line = True
            yield from self._planned(user_text, plan)
            return
        self.replier.said(PlannedSentence(t, "model", "") for t in spoken)
        self.remember(user_text, " ".join(spoken))

    def _planned(self, user_text: str, plan: ReplyPlan) -> Iterator[ReplySentence]:
        """Say the replier's plan: reviewed lines and fixed policies."""
        self.replier.said(plan.sentences)
        if plan.ends_session:
            self.session_ended = True
        for p in plan.sentences:
            yield ReplySentence(p.text, "repertoire" if p.source == "repertoire" else "fixed", p.why)
        self.remember(user_text, plan.text)

    def _disclosure(self) -> Iterator[ReplySentence]:
        if self.disclosure_pending:
            self.disclosure_pending = False
            yield ReplySentence(OPENING_DISCLOSURE, "fixed", "the AI disclosure is due (first use, a week away, or 3 hours)")

    def _guarded(
        self, messages: list[ChatMessage], guard: ReplyGuard, trace: ReplyTrace, started: float
    ) -> Iterator[str]:
        def pieces() -> Iterator[str]:
            for piece in self.backend.stream_chat(
                messages, max_tokens=self.max_reply_tokens, temperature=self.temperature
            ):
                if trace.first_token_s is None:
                    trace.first_token_s = time.perf_counter() - started
                yield piece

        stream = sentences(pieces())
        try:
            for sentence in stream:
                verdict = guard.check(sentence)
                if not verdict.ok:
                    trace.guard_reasons.append(verdict.reason)
                    log.info("reply guard stopped the reply (%s): %r", verdict.reason, sentence)
                    return
                guard.accept(sentence)
                yield sentence
        finally:
            stream.close()
