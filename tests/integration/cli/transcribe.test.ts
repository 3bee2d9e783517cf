import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { computeDer } from '../../../src/diarization/der.js';
import { parseRttm } from '../../../src/diarization/rttm.js';
import { frameF1, turnIntervals } from '../../../src/vad/frame-f1.js';
import { jsonLines, REPO, runCli } from '../../helpers/cli.js';
import { evalDir } from '../../helpers/diarization-eval.js';
import { MosquittoBroker } from '../../helpers/mosquitto.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-tx-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const sample = (): string => join(evalDir(), 'pyannote-sample', 'sample.wav');

test('acceptance: VAD segments of pyannote-sample score frame F1 >= 0.97 against the RTTM union; JSON contract holds', async () => {
  const r = await runCli(['transcribe', sample(), '--json', '--no-asr', '--no-diarize']);
  assert.equal(r.code, 0, r.stderr);
  const lines = jsonLines(r.stdout);
  const segs = lines.filter((l) => l.type === 'segment');
  const summary = lines[lines.length - 1];
  assert.equal(summary.type, 'summary');
  assert.equal(summary.segments, segs.length);
  assert.ok(segs.length >= 2);
  for (const s of segs) {
    assert.deepEqual(Object.keys(s).sort(), ['confidence', 'end', 'speaker', 'start', 'text', 'type']);
    assert.ok(typeof s.start === 'number' && typeof s.end === 'number' && (s.end as number) > (s.start as number));
    assert.equal(s.text, null, 'no ASR → text is null, never a guess');
    assert.equal(s.speaker, null);
  }
  const engines = summary.engines as Record<string, { engine: string; reason?: string }>;
  assert.equal(engines.asr.engine, 'none');
  assert.match(String(engines.asr.reason), /disabled/);
  const ref = turnIntervals(parseRttm(readFileSync(join(evalDir(), 'pyannote-sample', 'sample.rttm'), 'utf8')));
  const score = frameF1(ref, segs.map((s) => ({ start: s.start as number, end: s.end as number })), 30);
  assert.ok(score.f1 >= 0.97, `frame F1 ${score.f1.toFixed(3)}`);
});

test('acceptance (diarization): transcribe --json --no-asr labels pyannote-sample with two speakers, DER <= 20% (<= 12% with 0.25 s collar)', async () => {
  const r = await runCli(['transcribe', sample(), '--json', '--no-asr']);
  assert.equal(r.code, 0, r.stderr);
  const segs = jsonLines(r.stdout).filter((l) => l.type === 'segment');
  assert.ok(segs.every((s) => typeof s.speaker === 'string' && /^unknown-\d+$/.test(s.speaker as string)), JSON.stringify(segs));
  const hyp = segs.map((s) => ({ file: 'sample', startS: s.start as number, durationS: (s.end as number) - (s.start as number), speaker: s.speaker as string }));
  const ref = parseRttm(readFileSync(join(evalDir(), 'pyannote-sample', 'sample.rttm'), 'utf8'));
  const d0 = computeDer(ref, hyp);
  const d25 = computeDer(ref, hyp, { collarS: 0.25 });
  const msg = `DER ${(100 * d0.der).toFixed(2)}% / ${(100 * d25.der).toFixed(2)}% with collar, ${d0.hypSpeakers} speakers`;
  assert.equal(d0.hypSpeakers, 2, msg);
  assert.ok(d0.der <= 0.2, msg);
  assert.ok(d25.der <= 0.12, msg);
});

const badInputs: Array<[string, Buffer]> = [
  ['garbage', Buffer.from('this is not a wav file at all, just text '.repeat(50))],
  ['truncated', readFileSync(join(REPO, 'tests', 'fixtures', 'audio', 'demo.wav')).subarray(0, 30)],
  ['empty', Buffer.alloc(0)],
];
for (const [name, bytes] of badInputs) {
  test(`a ${name} WAV exits non-zero with a one-line error before any engine starts`, async () => {
    const f = join(dir, `${name}.wav`);
    writeFileSync(f, bytes);
    const r = await runCli(['transcribe', f, '--json']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^parley: .*(WAV|RIFF|wav|empty|short)/);
    assert.ok(r.ms < 5000, `took ${r.ms} ms (hang guard; the 1 s figure is in the bench)`);
  });
}

test('a missing file and a bad flag fail with one line (exit 1 and 2)', async () => {
  const missing = await runCli(['transcribe', join(dir, 'nope.wav')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.wav/);
  const flag = await runCli(['transcribe', sample(), '--jsn']);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /unknown option --jsn \(did you mean --json\?\)/);
  const asr = await runCli(['transcribe', sample(), '--asr', 'bogus']);
  assert.equal(asr.code, 2);
  assert.match(asr.stderr, /unknown ASR engine "bogus"/);
});

test('--db stores the session and every printed segment; stdin raw s16le gives the same segments as the file', async () => {
  const db = join(dir, 'p.db');
  const demo = join(REPO, 'tests', 'fixtures', 'audio', 'demo.wav');
  const r = await runCli(['transcribe', demo, '--json', '--no-asr', '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  const segs = jsonLines(r.stdout).filter((l) => l.type === 'segment');
  assert.ok(segs.length >= 2, 'two sentences with a pause');
  const conn = new Database(db, { readonly: true });
  try {
    const rows = conn.prepare('SELECT start_ms, end_ms, speaker FROM segments ORDER BY start_ms').all() as { start_ms: number; end_ms: number; speaker: string | null }[];
    assert.equal(rows.length, segs.length);
    rows.forEach((row, i) => assert.ok(Math.abs(row.start_ms / 1000 - (segs[i].start as number)) < 0.002));
    const session = conn.prepare('SELECT * FROM sessions').all() as Record<string, unknown>[];
    assert.equal(session.length, 1);
    assert.equal((conn.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check, 'ok');
  } finally {
    conn.close();
  }
  // raw PCM of the same file on stdin (skip the 44-byte canonical header of the fixture)
  const raw = readFileSync(demo).subarray(44);
  const s = await runCli(['transcribe', '-', '--json', '--no-asr', '--no-diarize'], { input: raw });
  assert.equal(s.code, 0, s.stderr);
  const stdinSegs = jsonLines(s.stdout).filter((l) => l.type === 'segment');
  assert.deepEqual(stdinSegs.map((x) => [x.start, x.end]), segs.map((x) => [x.start, x.end]));
});

test('acceptance: --mqtt publishes exactly one event/segment per printed segment, unique event_id, increasing seq', async () => {
  const broker = await MosquittoBroker.start();
  const client = await mqtt.connectAsync(broker.url);
  try {
    const got: Record<string, unknown>[] = [];
    client.on('message', (topic, payload) => {
      if (topic === 'parley/t1/event/segment') got.push(JSON.parse(payload.toString()) as Record<string, unknown>);
    });
    await client.subscribeAsync('parley/t1/#', { qos: 1 });
    const r = await runCli(['transcribe', sample(), '--json', '--no-asr', '--mqtt', broker.url, '--device-id', 't1']);
    assert.equal(r.code, 0, r.stderr);
    const segs = jsonLines(r.stdout).filter((l) => l.type === 'segment');
    const t0 = Date.now();
    while (got.length < segs.length && Date.now() - t0 < 10000) await new Promise((res) => setTimeout(res, 50));
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(got.length, segs.length);
    assert.equal(new Set(got.map((g) => g.event_id)).size, got.length);
    const seqs = got.map((g) => g.seq as number);
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `seq ${seqs.join(',')}`);
  } finally {
    await client.endAsync();
    await broker.cleanup();
  }
});
