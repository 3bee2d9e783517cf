// Diarization quality across conditions, in one table: the pyannote sample (Silero VAD,
// oracle VAD, segment edges shifted), espeak-ng conversations, and conversations cut
// together from real recordings of four different people (a check that a setting tuned on
// the pyannote sample does not only fit that file). Run: npm run eval:diarization -- --help
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWavFile, toMono16k } from '../src/audio/wav-reader.js';
import { defaultConfig } from '../src/config/load.js';
import { computeDer, turnsFromSegments } from '../src/diarization/der.js';
import { createDiarizationStage } from '../src/diarization/create-stage.js';
import { parseRttm, type Turn } from '../src/diarization/rttm.js';
import type { SpeechSegment } from '../src/pipeline/types.js';
import { silentLogger } from '../src/util/logger.js';
import { mulberry32 } from '../src/util/prng.js';
import { evalDir } from '../tests/helpers/diarization-eval.js';
import { conversation } from '../tests/helpers/diarization-conversations.js';
import { runStage, segmentsFromRttm } from '../tests/helpers/diarization-run.js';
import { sileroSegments } from '../tests/helpers/diarization-silero.js';

const HELP = `usage: npm run eval:diarization -- [--set KEY=VALUE]... [--json FILE] [--skip synth,mix] [--seeds 7,11,13]

Runs the built-in diarization stage (default config plus --set overrides of diarization.*
keys, values parsed as JSON when possible) on:
  pyannote   ../shared/eval/pyannote-sample with Silero VAD, oracle (reference) VAD, and
             Silero segments with edges moved by 0.1-0.2 s (stability)
  synth      espeak-ng conversations (3 voices; 4 voices with a known count; 2 voices)
  mix        conversations (3 turn orders each) of 20 turns (1.2-4.7 s, gaps 0/0.4/1 s) cut from real recordings:
             A = jfk (../shared/eval/jfk), B = LibriVox reader (pocketsphinx-testdata),
             C/D = the two pyannote-sample speakers (single-speaker stretches); all
             band-limited to 300-3400 Hz with sox so the channel does not give them away
             (A and B audio repeats within a mix). Reference = turn boundaries, so pauses
             inside a turn count as missed speech for every setting alike.
Prints DER (no collar / 0.25 s collar), confusion, speakers found and the live-label DER.

options:
  --set KEY=VALUE   override diarization.KEY (repeatable), e.g. --set offline_method=bic
  --json FILE       also write the rows as JSON
  --skip LIST       skip groups (synth, mix)
  --seeds LIST      turn orders of the mixes (default 7,11,13)
  --help            this text`;

interface Row { name: string; der: number; derCollar: number; confusion: number; speakers: number; refSpeakers: number; liveDer: number }

function parseArgs(argv: string[]): { over: Record<string, unknown>; json?: string; skip: Set<string>; seeds: number[] } {
  const over: Record<string, unknown> = {};
  let seeds = [7, 11, 13];
  let json: string | undefined;
  const skip = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      console.log(HELP);
      process.exit(0);
    } else if (a === '--set' && argv[i + 1]?.includes('=')) {
      const [k, ...v] = argv[++i].split('=');
      const raw = v.join('=');
      try {
        over[k] = JSON.parse(raw);
      } catch {
        over[k] = raw;
      }
    } else if (a === '--json' && argv[i + 1]) json = argv[++i];
    else if (a === '--skip' && argv[i + 1]) for (const s of argv[++i].split(',')) skip.add(s);
    else if (a === '--seeds' && /^\d+(,\d+)*$/.test(argv[i + 1] ?? '')) seeds = argv[++i].split(',').map(Number);
    else {
      console.error(`unknown or incomplete option: ${a}\n\n${HELP}`);
      process.exit(2);
    }
  }
  return { over, json, skip, seeds };
}

const { over, json, skip, seeds } = parseArgs(process.argv.slice(2));
const base = defaultConfig().diarization;
for (const k of Object.keys(over)) {
  if (!(k in base)) {
    console.error(`--set ${k}: not a diarization key (keys: ${Object.keys(base).join(', ')})`);
    process.exit(2);
  }
}
const cfg = { ...base, ...over } as typeof base;
const logger = silentLogger().child('diarization-eval');
const rows: Row[] = [];

async function score(name: string, segs: SpeechSegment[], ref: Turn[], knownSpeakers?: number): Promise<void> {
  const stage = await createDiarizationStage(cfg, { logger, knownSpeakers });
  if (!stage) throw new Error('diarization engine is none');
  const r = await runStage(stage, segs);
  const hyp = turnsFromSegments('x', r.final);
  const d = computeDer(ref, hyp);
  const live = computeDer(ref, turnsFromSegments('x', r.live.map((p) => ({ startMs: p.startSample / 16, endMs: p.endSample / 16, speaker: String(p.speaker) }))));
  rows.push({
    name, der: d.der, derCollar: computeDer(ref, hyp, { collarS: 0.25 }).der, confusion: d.confusionS / d.scoredSpeakerS,
    speakers: d.hypSpeakers, refSpeakers: d.refSpeakers, liveDer: live.der,
  });
  process.stderr.write(`  ${name} done\n`);
}

const SR = 16000;
const dir = evalDir();
const pya = toMono16k(await readWavFile(join(dir, 'pyannote-sample', 'sample.wav')));
const pyaRef = parseRttm(readFileSync(join(dir, 'pyannote-sample', 'sample.rttm'), 'utf8')).map((t) => ({ ...t, file: 'x' }));
const pyaSegs = await sileroSegments(pya);
await score('pyannote silero', pyaSegs, pyaRef);
await score('pyannote oracle VAD', segmentsFromRttm(pya, pyaRef), pyaRef);
for (const [early, late] of [[1600, 0], [0, 1600], [-800, 800], [3200, 3200]]) {
  const segs = pyaSegs.map((s) => {
    const a = Math.max(0, s.startSample - early);
    const b = Math.min(pya.length, s.endSample + late);
    return { ...s, startSample: a, endSample: b, samples: pya.subarray(a, b) };
  });
  await score(`pyannote edges ${-early / SR}/${late / SR} s`, segs, pyaRef);
}

if (!skip.has('synth')) {
  for (const [voices, n, known] of [
    [['en-us+m1', 'en-us+f2', 'en-us+klatt2'], 16, undefined],
    [['en-us+m1', 'en-us+f2', 'en-us+klatt2', 'en-us+m7'], 16, 4],
    [['en-us+m3', 'en-us+f4'], 12, undefined],
  ] as const) {
    const { conv, segs } = conversation([...voices], n, 5);
    await score(`espeak ${voices.length} voices${known ? ' (count given)' : ''}`, segs, conv.turns.map((t) => ({ ...t, file: 'x' })), known);
  }
}

if (!skip.has('mix')) {
  const libriDir = '/usr/share/pocketsphinx/test/data/librivox';
  if (!existsSync(libriDir)) throw new Error(`${libriDir} not found: install pocketsphinx-testdata (scripts/install-system-deps.sh) or pass --skip mix`);
  const tmp = mkdtempSync(join(tmpdir(), 'parley-diar-eval-'));
  const band = async (inputs: string[], name: string): Promise<Float32Array> => {
    const out = join(tmp, name);
    const r = spawnSync('sox', ['-D', ...inputs, '-r', '16000', '-c', '1', '-b', '16', out, 'sinc', '300-3400'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sox failed (${r.error?.message ?? r.stderr}); install sox or pass --skip mix`);
    return toMono16k(await readWavFile(out));
  };
  const libriFiles = ['0870', '0880', '0890', '0920', '0930'].map((k) => join(libriDir, `sense_and_sensibility_01_austen_64kb-${k}.wav`));
  const jfk = await band([join(dir, 'jfk', 'jfk.wav')], 'jfk.wav');
  const lib = await band(libriFiles, 'libri.wav');
  const tel = await band([join(dir, 'pyannote-sample', 'sample.wav')], 'pya.wav');
  rmSync(tmp, { recursive: true, force: true });
  const cut = (w: Float32Array, spans: number[][]): Float32Array[] => spans.map(([a, b]) => w.subarray(Math.round(a * SR), Math.round(b * SR)));
  // single-speaker stretches of the reference (no overlap)
  const pools: Record<string, Float32Array[]> = {
    A: cut(jfk, [[0.3, 10.8]]), B: cut(lib, [[0, 24.7]]),
    C: cut(tel, [[8.36, 9.9], [11.05, 14.47], [18.6, 21.47]]), D: cut(tel, [[14.72, 17.9], [21.8, 27.83]]),
  };
  for (const voices of ['ABCD', 'ABD', 'CD', 'AB']) {
    for (const seed of seeds) {
      const { samples, turns } = mix(voices.split(''), pools, seed);
      await score(`real-voice mix ${voices} seed ${seed}`, await sileroSegments(samples), turns);
    }
  }
}

function mix(voices: string[], pools: Record<string, Float32Array[]>, seed: number): { samples: Float32Array; turns: Turn[] } {
  const rnd = mulberry32(seed);
  const pos: Record<string, { piece: number; off: number }> = Object.fromEntries(voices.map((v) => [v, { piece: 0, off: 0 }]));
  const chunks: Float32Array[] = [];
  const turns: Turn[] = [];
  let t = 0;
  let prev = '';
  for (let i = 0; i < 20; i++) {
    let v = voices[Math.floor(rnd() * voices.length)];
    if (v === prev) v = voices[(voices.indexOf(v) + 1) % voices.length];
    prev = v;
    const out = new Float32Array(Math.round((1.2 + rnd() * 3.5) * SR));
    for (let k = 0; k < out.length;) {
      const p = pos[v];
      const src = pools[v][p.piece % pools[v].length];
      const n = Math.min(out.length - k, src.length - p.off);
      out.set(src.subarray(p.off, p.off + n), k);
      k += n;
      p.off += n;
      if (p.off >= src.length) pos[v] = { piece: p.piece + 1, off: 0 };
    }
    chunks.push(out);
    turns.push({ file: 'x', startS: t, durationS: out.length / SR, speaker: v });
    t += out.length / SR;
    const gap = new Float32Array(Math.round([0, 0.4, 1.0][Math.floor(rnd() * 3)] * SR));
    for (let j = 0; j < gap.length; j++) gap[j] = (rnd() - 0.5) * 1e-4;
    chunks.push(gap);
    t += gap.length / SR;
  }
  const samples = new Float32Array(chunks.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    samples.set(c, o);
    o += c.length;
  }
  return { samples, turns };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
console.log(`diarization eval, overrides: ${JSON.stringify(over)}`);
console.log(`${'condition'.padEnd(34)} ${'DER'.padStart(7)} ${'DER@.25'.padStart(8)} ${'confus.'.padStart(8)} ${'spk'.padStart(5)} ${'live DER'.padStart(9)}`);
for (const r of rows) {
  console.log(`${r.name.padEnd(34)} ${pct(r.der).padStart(7)} ${pct(r.derCollar).padStart(8)} ${pct(r.confusion).padStart(8)} ${`${r.speakers}/${r.refSpeakers}`.padStart(5)} ${pct(r.liveDer).padStart(9)}`);
}
const mixes = rows.filter((r) => r.name.startsWith('real-voice'));
if (mixes.length > 0) {
  const mean = mixes.reduce((a, r) => a + r.der, 0) / mixes.length;
  const right = mixes.filter((r) => r.speakers === r.refSpeakers).length;
  const live = mixes.reduce((a, r) => a + r.liveDer, 0) / mixes.length;
  console.log(`real-voice mixes: mean DER ${pct(mean)}, speaker count right in ${right}/${mixes.length}, mean live DER ${pct(live)}`);
}
if (json) writeFileSync(json, `${JSON.stringify({ overrides: over, rows }, null, 2)}\n`);
