#!/usr/bin/env bash
# Regenerates tests/fixtures/audio/demo.wav: a short 16 kHz mono 16-bit clip made with
# espeak-ng, two sentences separated by a 1 s pause (0.3 s lead-in and tail).
# Needs espeak-ng and sox (scripts/install-system-deps.sh). Run from anywhere:
#   bash scripts/gen-demo-audio.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/tests/fixtures/audio/demo.wav"
voice="en-us"
wpm=175
s1="The quick brown fox jumps over the lazy dog."
s2="Parley writes down what was said."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install espeak-ng sox" >&2; exit 1; }
done
espeak-ng -v "$voice" -s "$wpm" -w "$work/s1.wav" -- "$s1"
espeak-ng -v "$voice" -s "$wpm" -w "$work/s2.wav" -- "$s2"
for n in 1 2; do
  # to 16 kHz mono 16-bit without dither (-D keeps the output reproducible), trim silence at both ends
  sox -D "$work/s$n.wav" -r 16000 -c 1 -b 16 "$work/t$n.wav" \
    silence 1 0.005 0.3% reverse silence 1 0.005 0.3% reverse
done
sox -D -n -r 16000 -c 1 -b 16 "$work/lead.wav" trim 0 0.3
sox -D -n -r 16000 -c 1 -b 16 "$work/gap.wav" trim 0 1.0
sox -D "$work/lead.wav" "$work/t1.wav" "$work/gap.wav" "$work/t2.wav" "$work/lead.wav" "$out"
printf '%s\n%s\n' "$s1" "$s2" > "${out%.wav}.txt"
echo "wrote $out ($(soxi -D "$out") s, $(stat -c %s "$out") bytes)" >&2
