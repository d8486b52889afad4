"""Stillpoint's ears and mouth: audio in, voice activity, turn-taking, speech-to-text,
text-to-speech, audio out. Knows nothing about the dialogue (never imports `dialogue`)."""
