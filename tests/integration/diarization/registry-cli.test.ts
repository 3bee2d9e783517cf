import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeWavFile } from '../../../src/audio/wav-writer.js';
import { parseRttm } from '../../../src/diarization/rttm.js';
import { makeConversation } from '../../helpers/diarization-synth.js';
import { REPO_ROOT } from '../../helpers/diarization-eval.js';
import { openTestDb, speech, tmpDbPath } from '../../helpers/storage-tmp.js';

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: REPO_ROOT, env: { ...process.env, PARLEY_LOG_LEVEL: 'error' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('speakers enroll/list/rename/merge/forget, export and search through the CLI on a real SQLite file', () => {
  const tmp = tmpDbPath('parley-spk-cli-');
  try {
    const db = tmp.path;
    // a stored session with labelled, transcribed segments
    const pdb = openTestDb(db);
    const { sessionId } = pdb.sessions.start({ source: 'file:/nonexistent.wav', deviceId: 'dev', wallStartMs: Date.parse('2026-05-02T10:00:00Z') });
    const x = { tier: 'full', wallStartMs: Date.parse('2026-05-02T10:00:00Z'), deviceId: 'dev' };
    pdb.segments.insert(sessionId, speech(0, 32000, { speaker: 'unknown-1', text: 'the garage door is broken again' }), x);
    pdb.segments.insert(sessionId, speech(40000, 64000, { speaker: 'unknown-2', text: 'I will call the repair service' }), x);
    pdb.segments.insert(sessionId, speech(70000, 90000, { speaker: 'unknown-1', text: 'thanks, the door squeaks too' }), x);
    pdb.close();

    const wav = join(tmp.dir, 'alice.wav');
    writeWavFile(wav, makeConversation({ turns: [
      { voice: 'en-us+m1', text: 'Hello, my name is Alice and I am enrolling my voice.' },
      { voice: 'en-us+m1', text: 'The kitchen lights should turn off at eleven every night.' },
    ], gapMs: 300, seed: 1 }).samples, 16000);
    const short = join(tmp.dir, 'short.wav');
    writeWavFile(short, makeConversation({ turns: [{ voice: 'en-us+m1', text: 'Hi.' }], seed: 1 }).samples, 16000);

    let r = cli(['speakers', 'enroll', 'Alice', wav, '--db', db]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /enrolled Alice/);
    r = cli(['speakers', 'enroll', 'Bob', short, '--db', db]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /speech/);
    r = cli(['speakers', 'enroll', 'unknown-3', wav, '--db', db]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /reserved/);
    r = cli(['speakers', 'enroll', 'Bob', wav, '--db', db]);
    assert.equal(r.status, 0, r.stderr);

    // enroll from a stored session whose source file still exists, and from one whose file is gone
    const p4 = openTestDb(db);
    const fromFile = p4.sessions.start({ source: `file:${wav}`, deviceId: 'dev', wallStartMs: Date.now() }).sessionId;
    p4.close();
    r = cli(['speakers', 'enroll', 'Dana', '--session', fromFile, '--from', '0', '--to', '0:08', '--db', db]);
    assert.equal(r.status, 0, r.stderr);
    r = cli(['speakers', 'enroll', 'Dana', '--session', sessionId, '--from', '0', '--to', '5', '--db', db]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /not available/);
    r = cli(['speakers', 'enroll', 'Dana', '--session', fromFile, '--from', '5', '--to', '2', '--db', db]);
    assert.equal(r.status, 2);
    r = cli(['speakers', 'forget', 'Dana', '--db', db]);
    assert.equal(r.status, 0, r.stderr);

    r = cli(['speakers', 'list', '--json', '--db', db]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as { name: string }[]).map((s) => s.name), ['Alice', 'Bob']);

    // label a stored speaker with an enrolled name, then rename/merge follow the segments
    const p2 = openTestDb(db);
    p2.db.prepare("UPDATE segments SET speaker = 'Alice' WHERE speaker = 'unknown-1'").run();
    p2.close();
    r = cli(['speakers', 'rename', 'Alice', 'Carol', '--db', db]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /2 segments relabelled/);
    r = cli(['speakers', 'merge', 'Bob', 'Carol', '--db', db]);
    assert.equal(r.status, 0, r.stderr);
    r = cli(['speakers', 'list', '--db', db]);
    assert.match(r.stdout, /^Carol\tvoiceprints=2\t.*segments=2$/m);
    assert.doesNotMatch(r.stdout, /Bob/);
    r = cli(['speakers', 'rename', 'Nobody', 'X', '--db', db]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no enrolled speaker named 'Nobody'/);

    // export
    r = cli(['export', sessionId, '--format', 'rttm', '--db', db]);
    assert.equal(r.status, 0, r.stderr);
    const turns = parseRttm(r.stdout);
    assert.deepEqual(turns.map((t) => [t.startS, t.durationS, t.speaker]), [[0, 2, 'Carol'], [2.5, 1.5, 'unknown-2'], [4.375, 1.25, 'Carol']]);
    r = cli(['export', sessionId, '--format', 'srt', '--db', db]);
    assert.match(r.stdout, /^1\n00:00:00,000 --> 00:00:02,000\nCarol: the garage door is broken again\n/);
    r = cli(['export', sessionId, '--format', 'vtt', '--db', db]);
    assert.match(r.stdout, /^WEBVTT\n\n00:00:00\.000 --> 00:00:02\.000\n<v Carol>the garage door is broken again\n/);
    r = cli(['export', sessionId, '--format', 'json', '--db', db]);
    assert.equal((JSON.parse(r.stdout) as { segments: unknown[] }).segments.length, 3);
    r = cli(['export', sessionId, '--format', 'doc', '--db', db]);
    assert.equal(r.status, 2);

    // search
    r = cli(['search', 'door', '--db', db]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 2);
    assert.match(r.stdout, new RegExp(`^${sessionId}\\t00:00:00\\.000\\tCarol\\tthe garage door is broken again$`, 'm'));
    r = cli(['search', 'door', '--speaker', 'unknown-2', '--db', db]);
    assert.equal(r.status, 1);
    r = cli(['search', 'repa*', '--speaker', 'unknown-2', '--session', sessionId, '--since', '2026-05-01', '--db', db]);
    assert.match(r.stdout, /I will call the repair service/);
    r = cli(['search', 'door', '--since', '2026-06-01', '--db', db]);
    assert.equal(r.status, 1);
    r = cli(['search', '"door OR NEAR(', '--db', db]);
    assert.equal(r.status, 1, r.stderr); // quoted as plain words: no FTS syntax error, no match
    r = cli(['search', 'door', '--since', 'yesterday', '--db', db]);
    assert.equal(r.status, 2);

    // forget --delete-audio removes <audio_dir>/**/<segment id>.* of Carol's segments only
    const audioDir = join(tmp.dir, 'audio');
    const p3 = openTestDb(db);
    const rows = p3.db.prepare('SELECT id, speaker FROM segments ORDER BY start_sample').all() as { id: string; speaker: string }[];
    p3.close();
    mkdirSync(join(audioDir, sessionId), { recursive: true });
    for (const row of rows) writeFileSync(join(audioDir, sessionId, `${row.id}.wav`), 'x');
    const cfgFile = join(tmp.dir, 'parley.yaml');
    writeFileSync(cfgFile, `storage:\n  audio_dir: ${audioDir}\n`);
    r = cli(['speakers', 'forget', 'Carol', '--delete-audio', '--config', cfgFile, '--db', db]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /2 segments unlabelled, 2 audio files deleted/);
    assert.deepEqual(readdirSync(join(audioDir, sessionId)), [`${rows.find((x) => x.speaker === 'unknown-2')!.id}.wav`]);
    r = cli(['speakers', 'list', '--json', '--db', db]);
    assert.deepEqual(JSON.parse(r.stdout), []);
  } finally {
    tmp.cleanup();
  }
});
