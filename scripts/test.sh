#!/usr/bin/env bash
# The README's second command: installs what the tests need, then runs them (args go to pytest).
set -uo pipefail
cd "$(dirname "$0")/.."
need=()
ldconfig -p 2>/dev/null | grep -q libportaudio.so.2 || need+=(libportaudio2)
[ -f /usr/share/sounds/alsa/Front_Center.wav ] || need+=(alsa-utils)
ldconfig -p 2>/dev/null | grep -q libsndfile.so.1 || need+=(libsndfile1)
command -v strace >/dev/null || need+=(strace)  # test_no_network traces every socket syscall
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || need+=(chromium)  # the page tests drive a real browser
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)  # WeasyPrint (PDF export)
command -v pdftotext >/dev/null || need+=(poppler-utils)  # the export tests read the PDF back
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "The tests need these system packages: ${need[*]} (e.g. sudo apt-get install ${need[*]})." >&2
    exit 1
  fi
fi
bash scripts/bootstrap.sh test || exit 1
.venv/bin/python -m pytest "$@"
rc=$?
if [ $rc -eq 5 ]; then
  echo "pytest collected no tests" >&2
  rc=0
fi
exit $rc
