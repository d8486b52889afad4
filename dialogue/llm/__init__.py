"""Language-model backends behind one streaming protocol (see `base.ChatBackend`)."""

from .base import BackendUnavailable, ChatBackend, ChatMessage

__all__ = ["BackendUnavailable", "ChatBackend", "ChatMessage"]
