import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ftsQuery, SearchRepo } from '../../../src/storage/search-repo.js';
import { SpeakersRepo, checkSpeakerName } from '../../../src/storage/speakers-repo.js';
import { AppError } from '../../../src/util/errors.js';
import { openTestDb, speech, tmpDbPath } from '../../helpers/storage-tmp.js';

test('FTS5 index follows inserts and revisions; filters by speaker, session and date', () => {
  const tmp = tmpDbPath('parley-fts-');
  const pdb = openTestDb(tmp.path);
  try {
    const s1 = pdb.sessions.start({ source: 'test', deviceId: 'd', wallStartMs: Date.parse('2026-05-01T08:00:00Z') }).sessionId;
    const s2 = pdb.sessions.start({ source: 'test', deviceId: 'd', wallStartMs: Date.parse('2026-05-03T08:00:00Z') }).sessionId;
    const x1 = { tier: 'full', wallStartMs: Date.parse('2026-05-01T08:00:00Z'), deviceId: 'd' };
    const x2 = { tier: 'full', wallStartMs: Date.parse('2026-05-03T08:00:00Z'), deviceId: 'd' };
    pdb.segments.insert(s1, speech(0, 16000, { speaker: 'Alice', text: 'Café lights are on' }), x1);
    pdb.segments.insert(s1, speech(20000, 36000, { speaker: 'unknown-1', text: 'turn the lights off' }), x1);
    pdb.segments.insert(s2, speech(0, 16000, { speaker: 'Alice', text: 'no text yet' }), x2);
    pdb.segments.insert(s2, speech(20000, 30000, { speaker: 'Alice', text: null }), x2);
    const repo = new SearchRepo(pdb.db);
    assert.equal(repo.search({ text: 'lights' }).length, 2);
    assert.equal(repo.search({ text: 'cafe' }).length, 1, 'diacritics folded');
    assert.equal(repo.search({ text: 'lights', speaker: 'Alice' }).length, 1);
    assert.equal(repo.search({ text: 'lig*' }).length, 2);
    assert.equal(repo.search({ text: 'lights', sessionId: s2 }).length, 0);
    pdb.segments.revise(s2, { startSample: 0, endSample: 16000, text: 'the lights in the hall' });
    assert.equal(repo.search({ text: 'lights', sinceWallMs: Date.parse('2026-05-02') }).length, 1);
    assert.equal(repo.search({ text: 'yet' }).length, 0, 'old text left the index on revision');
    assert.equal(repo.search({ text: 'lights', limit: 1 }).length, 1);
    // user input never reaches FTS5 syntax
    for (const evil of ['"', 'AND', 'lights OR', 'NEAR(a b', 'col:lights', ')(', "'"]) assert.doesNotThrow(() => repo.search({ text: evil }), evil);
  } finally {
    pdb.close();
    tmp.cleanup();
  }
});

test('ftsQuery quotes every word and rejects empty input', () => {
  assert.equal(ftsQuery('door  "broken'), '"door" """broken"');
  assert.equal(ftsQuery('rep*'), '"rep"*');
  assert.throws(() => ftsQuery('   '), (e: unknown) => e instanceof AppError && e.code === 'USAGE');
  assert.throws(() => ftsQuery('*'), (e: unknown) => e instanceof AppError && e.code === 'USAGE');
});

test('speaker registry stores voiceprints per engine and validates names', () => {
  const tmp = tmpDbPath('parley-spk-');
  const pdb = openTestDb(tmp.path);
  try {
    const repo = new SpeakersRepo(pdb.db, () => 1000);
    repo.enroll({ name: ' Ana María ', engine: 'builtin', embedding: Float32Array.from([1, 2, 3]), durationMs: 4000, source: 't' });
    repo.enroll({ name: 'Ana María', engine: 'neural', embedding: Float32Array.from([9, 9]), durationMs: 4000, source: 't' });
    const vp = repo.voiceprints('builtin');
    assert.equal(vp.length, 1);
    assert.equal(vp[0].name, 'Ana María');
    assert.deepEqual(Array.from(vp[0].embedding), [1, 2, 3]);
    assert.equal(repo.list()[0].voiceprints, 2);
    for (const bad of ['', ' ', 'a'.repeat(65), 'unknown-3', 'x\ny', '../etc']) assert.throws(() => checkSpeakerName(bad), AppError, JSON.stringify(bad));
    assert.throws(() => repo.merge('Ana María', 'Ana María'), AppError);
    assert.throws(() => repo.forget('nobody'), AppError);
    // a corrupt blob (wrong length) is skipped, never misread
    pdb.db.prepare('UPDATE voiceprints SET dims = 7 WHERE engine = ?').run('builtin');
    assert.equal(repo.voiceprints('builtin').length, 0);
  } finally {
    pdb.close();
    tmp.cleanup();
  }
});
