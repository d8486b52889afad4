"""Errors the voice stages raise for problems a user can fix, each with a message that says how."""


class VoiceError(Exception):
    """A problem with audio input, output or models, explained for a person to act on."""


class AudioInputError(VoiceError):
    """An audio file or stream cannot be read."""


class NoMicrophoneError(VoiceError):
    """No input device is available."""


class NoSpeakerError(VoiceError):
    """No output device is available."""
