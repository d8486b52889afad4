"""The companion's policy: what to send the model, and what of its answer may be spoken.

One `reply(user_text)` per user turn, then one `commit(user_text, heard_text, interrupted)` once
it is known what the listener heard (`respond` does both, for text that is always heard). It builds the prompt (persona + history trimmed to
a token budget), streams the model's reply through the sentence chunker and the reply guard,
and yields sentences ready to speak. Every turn is first read by the understanding layer and
answered by the replier (issue 9): fixed policies (closing, identity, medication) and reviewed
OARS lines from the repertoire. The embedded model does not speak freely; a capable backend does,
prompted with the reading, through the guard, with the repertoire as its fallback. If the
configured backend is down it says so aloud and carries on with the embedded model. Whatever the
model does, what comes out is short, honest and safe.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from .chunker import sentences
from .guard import ReplyGuard
from .crisis import AFTER_NO, CrisisResources, acute_response, medication_response, third_party_acute_response
from .honesty import OPENING_DISCLOSURE
from .safety import SafetyAssessment, SecondOpinion, assess_with
from .llm.base import BackendUnavailable, ChatBackend, ChatMessage
from .persona import BACKEND_DOWN_NOTICE, LISTENING_LINE, SYSTEM_PROMPT
from .practices import BREATHING_INVITE, breathing_pattern, wants_breathing
from .replies import PlannedSentence, Replier, ReplyPlan
from .screening import DirectQuestion, concern_lines
from .understanding import Reading, Understanding, asks_about_medication, medication_follow_up

log = logging.getLogger(__name__)

SentenceSource = Literal["model", "fallback", "notice", "fixed", "safety", "practice", "preface", "repertoire"]


@dataclass(frozen=True)
class ReplySentence:
    text: str
    source: SentenceSource
    discloses: bool = False  # says plainly that this is an AI (counts as the periodic disclosure)
    pause_before_s: float = 0.0  # quiet kept before it after the previous sentence (a paced practice)
    practice: str = ""  # a guided exercise the app runs in place of speaking `text` (a breathing pattern)
    why: str = ""  # why this sentence was chosen (`chat --explain`)


@dataclass(frozen=True)
class SafetyAssessed:
    """First item of every reply: how the user's words were assessed, before anything is said.

    The app stores a flag the moment it sees this, so a barge-in can never lose it."""

    assessment: SafetyAssessment  # of this turn's own words: what the app stores
    responding_as: str = "none"  # the level answered, which may be one still owed from a cut reply


@dataclass(frozen=True)
class SessionEnds:
    """Last item of a reply that closes the conversation (a goodbye): once it has been heard,
    the app stops listening."""

    reason: str = "closing"


ReplyItem = SafetyAssessed | ReplySentence | SessionEnds


@dataclass
class ReplyTrace:
    """What happened while producing one reply, for the turn's stored timings."""

    backend: str = ""
    first_token_s: float | None = None  # seconds from the start of respond()
    guard_reasons: list[str] = field(default_factory=list)
    fell_back_to_embedded: bool = False
    used_fallback_line: bool = False


@dataclass
class _Pending:
    """The reply given but not yet committed: what was offered, so `commit` can tell what was heard."""

    level: str
    sentences: list[ReplySentence] = field(default_factory=list)
    offers_breath: bool = False


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


_LEVELS = ("none", "concern", "acute")
_PREFACE_WHY = "the AI disclosure is due (first use, a week away, or 3 hours)"


class Companion:
    """What to say to one user turn (`reply`), and what to remember once it was heard (`commit`).

    State changes only in `commit`, from what the listener actually heard: a reply cut off by the
    user before the crisis resources were spoken leaves them owed, and the next reply says them.
    """

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
        semantic: bool = True,
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
        self.last_trace = ReplyTrace()  # read-only: the most recent reply's trace, for logs and tests
        self.resources = resources or CrisisResources.for_region("auto")
        self.second_opinion = second_opinion
        self.semantic = semantic  # safety #11: the semantic layer beside the rules (safety_classifier.py)
        self.direct_question = DirectQuestion()  # safety #11: ask-directly state (screening.py)
        self._resources_offered = False  # heard by the user this session
        self._breath_offered = False  # the last heard reply offered to breathe together
        self._owed_level = "none"  # a flagged turn whose safety response was cut before it was heard
        self._pending: _Pending | None = None
        # -- replies (issue 9): the embedded model never speaks freely (it did not beat the reviewed
        # repertoire in bench/replies.py); a capable backend does, through the guard, repertoire as fallback.
        self._model_speaks_setting = model_speaks
        self.model_speaks = (not backend.name.startswith("embedded")) if model_speaks is None else model_speaks
        self.understanding = understanding or Understanding()
        self.replier = replier or Replier()
        self.last_reading: Reading | None = None  # read-only: the most recent turn's reading, for `chat --explain`

    def fresh(self) -> "Companion":
        """Another conversation's companion: the same model and settings, none of this one's memory."""
        return Companion(
            self.backend, embedded_factory=self._embedded_factory, max_reply_tokens=self.max_reply_tokens,
            temperature=self.temperature, history_tokens=self.history_tokens, system_prompt=self.system_prompt,
            resources=self.resources, second_opinion=self.second_opinion, semantic=self.semantic,
            model_speaks=self._model_speaks_setting, understanding=self.understanding,
            replier=Replier(self.replier.repertoire),
        )

    def begin_session(self, recent_lines: list[str] | None = None) -> None:
        """A new session (replies, issue 9): no history and no lines said yet; lines said in recent
        sessions (`recent_lines`) are still avoided. A safety response still owed stays owed."""
        self.history = []
        self._pending = None
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

    def respond(self, user_text: str, **options) -> Iterator[ReplySentence]:
        """The sentences of a reply that is heard in full (text use, tests): `reply` + `commit`."""
        said: list[str] = []
        try:
            for item in self.reply(user_text, **options):
                if isinstance(item, ReplySentence):
                    said.append(item.text)
                    yield item
        finally:
            self.commit(user_text, " ".join(said), interrupted=False)

    def reply(
        self,
        user_text: str,
        *,
        preface: Sequence[str] = (),
        fixed: Sequence[str] = (),
        trace: ReplyTrace | None = None,
    ) -> Iterator[ReplyItem]:
        """Safety first (before any model sees the words), then honesty, then the model.

        Yields `SafetyAssessed` first, then sentences. `preface` lines (the AI disclosure when due)
        come before the reply unless the reply itself says what I am; `fixed` lines (returning to
        an earlier silence, an acknowledgement) are said instead of the model's reply, unless the
        moment is flagged. Nothing is remembered until `commit`.
        """
        trace = trace if trace is not None else ReplyTrace()
        trace.backend = self.backend.name
        self.last_trace = trace
        self.last_reading = None  # set below when the understanding layer reads this turn
        started = time.perf_counter()
        assessment = assess_with(user_text, self.second_opinion, semantic=self.semantic)
        # -- safety #11 ask-directly hook (dialogue/screening.py): the turn after the direct question is its answer
        assessment, answered_no = self.direct_question.resolve(user_text, assessment)
        level = max(assessment.level, self._owed_level, key=_LEVELS.index)
        pending = self._pending = _Pending(level)
        yield SafetyAssessed(assessment, responding_as=level)

        def say(text: str, source: SentenceSource, discloses: bool = False, practice: str = "",
                why: str = "") -> ReplySentence:
            sentence = ReplySentence(text, source, discloses, practice=practice, why=why)
            pending.sentences.append(sentence)
            return sentence

        def say_plan(plan: ReplyPlan) -> Iterator[ReplyItem]:
            for i, p in enumerate(plan.sentences):
                source = "repertoire" if p.source == "repertoire" else "fixed"
                yield say(p.text, source, discloses=plan.policy == "identity" and i == 0, why=p.why)
            if plan.ends_session:
                yield SessionEnds()

        offered = self._breath_offered
        if level == "acute":  # the acute response itself says it is an AI
            # safety #11: when the rules read the person at risk now as someone else, the response is worded for them
            third_party = assessment.level == "acute" and assessment.someone_else
            pending.offers_breath = not third_party  # only the response to the user offers a breath together
            lines = third_party_acute_response(self.resources) if third_party else acute_response(self.resources)
            why = "acute, someone else at risk now: the fixed third-party response" if third_party else "acute: the fixed safety response"
            for line in lines:
                yield say(line, "safety", discloses="I'm an AI" in line, why=why)
            return
        if level == "concern":
            for line in preface:
                yield say(line, "preface", discloses=line == OPENING_DISCLOSURE, why=_PREFACE_WHY)
            # -- safety #11 hook: after a "no", carry on gently; else medication line / direct question / check-in
            if answered_no:
                lines = AFTER_NO
            elif self._asks_about_medication(user_text):  # replies #9: "should I just stop?" about a medicine named before
                lines = medication_response(self.resources, not self._resources_offered)
            else:
                lines = concern_lines(assessment, self.resources, not self._resources_offered)
            for line in lines:
                yield say(line, "safety", why="concern: the fixed safety response")
            return
        if not user_text.strip():
            yield say(LISTENING_LINE, "fixed")
            return
        if wants_breathing(user_text, offered):
            yield say(BREATHING_INVITE, "practice", practice=breathing_pattern(user_text))
            return
        # -- replies (issue 9): understand the turn, then a fixed policy or an OARS line -----------------
        self.last_reading = reading = self.understanding.read(
            user_text, breath_offered=offered, medication_named=self.replier.session.medication_named)
        plan = self.replier.compose(reading)
        if plan.policy == "identity":  # the reply itself says what I am: no preface
            yield from say_plan(plan)
            return
        if plan.policy == "closing" and not fixed:  # no disclosure on the way out (it waits for next time);
            # the caller's fixed lines still win (a journal entry closes with its own words)
            yield from say_plan(plan)
            return
        for line in preface:
            yield say(line, "preface", discloses=line == OPENING_DISCLOSURE, why=_PREFACE_WHY)
        if fixed:
            for line in fixed:
                yield say(line, "fixed", why="opening: returning to an earlier silence, or answering about it")
            return
        if plan.policy in ("medication", "dismissal", "diagnosis") or not self.model_speaks:  # never the model's words on these
            yield from say_plan(plan)
            return
        recent = [m.content for m in self.history[-6:] if m.role == "assistant"]
        messages = self.messages_for(user_text)
        messages[0] = ChatMessage("system", self.system_prompt + " " + reading_brief(reading))
        spoken: list[str] = []
        for attempt in range(2):
            guard = ReplyGuard(recent_replies=recent, user_text=user_text, said_this_session=self.replier.session.said,
                               loss_named=self.replier.session.loss_named)
            try:
                for sentence in self._guarded(messages, guard, trace, started):
                    spoken.append(sentence)
                    yield say(sentence, "model", why=f"{self.backend.name} model, passed the guard")
                break
            except BackendUnavailable as error:
                log.warning("language model unavailable: %s", error)
                if spoken or attempt or self._embedded_factory is None:
                    break
                yield say(BACKEND_DOWN_NOTICE, "notice", why="the configured model is unreachable")
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
            yield from say_plan(plan)

    def commit(self, user_text: str, heard_text: str, interrupted: bool = False) -> None:
        """Remember the turn as it was heard: the user's words, and the part of the reply the
        listener actually heard (a cut reply is kept as far as it got, marked interrupted).

        Resources count as offered, and a breath as offered, only if those lines were heard in
        full; a flagged turn whose response was not heard stays owed to the next reply.
        """
        pending, self._pending = self._pending, None
        heard_text = heard_text.strip()
        self.history.append(ChatMessage("user", user_text))
        if heard_text:
            self.history.append(ChatMessage("assistant", heard_text + (" …" if interrupted else "")))
        if pending is None:
            return
        heard = [s for s in pending.sentences if s.text in heard_text]
        self.direct_question.heard([s.text for s in heard])  # -- safety #11 hook: asked only once heard
        # -- replies (issue 9): only lines heard count as said (a cut line may be chosen again)
        self.replier.noted(user_text)  # a medicine or a loss named, even in a turn safety answered
        self.replier.said(PlannedSentence(s.text, s.source if s.source in ("repertoire", "model") else "fixed", s.why)
                          for s in heard)
        level = pending.level
        if level != "none":
            said_resources = any(self.resources.text in s.text for s in heard)
            if said_resources:
                self._resources_offered = True
            # acute: owed until the resources were heard; concern: until anything of it was heard
            still_owed = not said_resources if level == "acute" else not any(s.source == "safety" for s in heard)
            self._owed_level = level if still_owed else "none"
        self._breath_offered = pending.offers_breath and bool(heard) and heard[-1] is pending.sentences[-1]

    def _asks_about_medication(self, user_text: str) -> bool:
        """A medication question, or a follow-up about 'it' once a medicine was named this session."""
        return asks_about_medication(user_text) or (
            self.replier.session.medication_named and medication_follow_up(user_text))

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
