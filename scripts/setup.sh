#!/usr/bin/env bash
# One-step setup on a fresh Debian 12 / Raspberry Pi OS machine:
# system packages, npm dependencies, the build, the Silero VAD model, then a demo transcription.
# Usage: bash scripts/setup.sh [--no-demo] [--help]
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--help" ]]; then
  echo "usage: bash scripts/setup.sh [--no-demo]"
  echo "Installs system packages (apt), npm dependencies (npm ci), builds, fetches and verifies the models,"
  echo "then runs \`parley transcribe\` on the bundled sample unless --no-demo is given."
  exit 0
fi
echo "[1/4] system packages"
bash scripts/install-system-deps.sh
echo "[2/4] npm dependencies (better-sqlite3 compiles from source: about 2 minutes)"
ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund   # .npmrc says the same; the CUDA download fails offline
echo "[3/4] build"
npm run build
echo "[4/4] models"
npm run models:fetch
if [[ "${1:-}" != "--no-demo" ]]; then
  echo "demo: parley transcribe on the bundled sample"
  node dist/cli/main.js transcribe tests/fixtures/audio/demo.wav --no-asr
fi
