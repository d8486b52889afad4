#!/usr/bin/env bash
# The README's first command: a real spoken exchange on the embedded models, from a recording
# (audio_assets/demo.wav) to a reply file (demo-reply.wav); the transcript prints as it happens.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/stillpoint talk --input audio_assets/demo.wav --output "${1:-demo-reply.wav}"
