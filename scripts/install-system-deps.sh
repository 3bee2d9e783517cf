#!/usr/bin/env bash
# Installs the system packages parley and its test suite need on Debian 12 / Raspberry Pi OS.
# Usage: sudo bash scripts/install-system-deps.sh [--help]
set -euo pipefail
if [[ "${1:-}" == "--help" ]]; then
  echo "usage: sudo bash scripts/install-system-deps.sh"
  echo "Installs alsa-utils (arecord), sox, espeak-ng, pocketsphinx, mosquitto, socat and the test tools with apt-get."
  exit 0
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
PKGS=(
  alsa-utils          # arecord: live capture and the ALSA file-plugin test device
  sox espeak-ng       # test audio synthesis and measurement
  pocketsphinx pocketsphinx-en-us   # the model-free recognizer (lowest tier, real-audio ASR tests)
  pocketsphinx-testdata   # five LibriVox utterances + transcripts: the PocketSphinx WER test set
  mosquitto           # MQTT broker: tests spawn private instances on free ports
  socat               # serial pty pairs for the indicator/mute device tests
  stress-ng faketime  # memory-pressure and clock-jump fault tests
  python3 make g++    # better-sqlite3 builds from source on Node 20
  ca-certificates
  sctk                # md-eval.pl: the reference DER scorer the diarization tests compare against
  bzip2               # tar -xjf: model fetch unpacks sherpa-onnx .tar.bz2 release archives
  debootstrap qemu-user-static fdisk dosfstools mtools   # image/build.sh: rootfs, arm64 second stage, disk image (sfdisk, mkfs.vfat, mcopy)
  proot python3-seccomp file   # arm64 builds/tests without binfmt_misc: proot -q qemu-aarch64-static, its statx guard (image/lib/enosys-exec.py), `file` on the addon
  libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross   # npm run test:arm64: the arm64 loader and C++ runtime for qemu-aarch64-static -L
)
echo "installing: ${PKGS[*]}" | sed 's/#[^ ]*//g'
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${PKGS[@]}" | sed 's/#.*//' | tr '\n' ' ')
echo "system packages installed"
