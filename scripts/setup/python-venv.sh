#!/usr/bin/env bash
# The Python venv of the real-library tests (Gymnasium, Stable-Baselines3, sb3-contrib, Ray RLlib, torch), run by
# `npm test` (scripts/test.sh) and so by CI: Debian's python3-torch from apt, then every package of
# test/python/requirements.txt (pinned, the full closure) into .venv-tg4 (or $TG4_VENV) with --system-site-packages.
# Idempotent and cached: when the venv was built from the same requirements file (a stamp holds its hash) it exits at
# once; the downloaded wheels are kept (~/.cache/tg4gym/wheels, or $TG4_WHEEL_CACHE), so a rebuild downloads nothing. Measured setup times are in docs/server.md ("The test venv").
# A failure does not stop `npm test`: test/python/real-libraries.test.ts then fails and says how to fix it.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${TG4_VENV:-$PWD/.venv-tg4}"
REQS=test/python/requirements.txt
STAMP="$VENV/.tg4-requirements-$(sha256sum "$REQS" | cut -c1-16)"
FOUND='import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in sys.argv[1:]))'
MODULES="torch gymnasium stable_baselines3 sb3_contrib ray"
# shellcheck disable=SC2086
if [ -f "$STAMP" ] && [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "$FOUND" $MODULES >/dev/null 2>&1; then
  exit 0
fi
say() { echo "scripts/setup/python-venv.sh: $*" >&2; }
start=$(date +%s)
if ! /usr/bin/python3 -c 'import torch, venv, ensurepip' >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      say "need root (or sudo) to apt-get install python3-venv python3-torch; the real-library tests will fail"
      exit 0
    fi
  fi
  say "installing python3-venv and python3-torch (Debian, CPU) with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if ! { $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq python3-venv python3-torch >/dev/null; }; then
    say "apt-get failed; the real-library tests will fail until python3-venv and python3-torch are installed"
    exit 0
  fi
fi
apt_done=$(date +%s)
rm -rf "$VENV"
say "building $VENV from $REQS"
# pip's own cache stays empty here (the registry's answers are not cacheable), so the wheels are kept in a folder of
# our own: `pip download` fetches only those not there yet, and the install reads that folder alone.
WHEELS="${TG4_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tg4gym/wheels}"
mkdir -p "$WHEELS"
HAVE="$WHEELS/.complete-$(basename "$STAMP")"
# --no-compile: byte-compiling Ray and SciPy at install doubled the time; the first import compiles what it needs.
if ! { /usr/bin/python3 -m venv --system-site-packages "$VENV" &&
  { [ -f "$HAVE" ] || "$VENV/bin/python" -m pip download -q --no-deps -r "$REQS" -d "$WHEELS"; } && touch "$HAVE" &&
  "$VENV/bin/python" -m pip install -q --no-compile --no-deps --no-index --find-links "$WHEELS" -r "$REQS"; }; then
  say "pip install failed (is PyPI reachable?); the real-library tests will fail until this script succeeds"
  exit 0
fi
if ! "$VENV/bin/python" -c 'import torch, gymnasium, stable_baselines3, sb3_contrib, ray' >/dev/null 2>&1; then
  say "the venv was built but cannot import torch/gymnasium/stable_baselines3/sb3_contrib/ray"
  exit 0
fi
touch "$STAMP"
end=$(date +%s)
say "ready in $((end - start)) s (apt $((apt_done - start)) s, venv + pip $((end - apt_done)) s)"
