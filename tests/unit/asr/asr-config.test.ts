import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/util/errors.js';

const issuesOf = (over: Record<string, unknown>): string[] => {
  try {
    defaultConfig(over);
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.issues.map((i) => i.path);
  }
};

test('asr config: defaults validate; cross-key checks name the key', () => {
  const c = defaultConfig();
  assert.equal(c.asr.engine, 'pocketsphinx');
  assert.equal(c.asr.pocketsphinx.lm_weight, 5);
  assert.deepEqual(issuesOf({ asr: { pocketsphinx: { mode: 'grammar' } } }), ['asr.pocketsphinx.grammar_file']);
  assert.deepEqual(issuesOf({ asr: { pocketsphinx: { mode: 'keyphrase' } } }), ['asr.pocketsphinx.keyphrases']);
  assert.deepEqual(issuesOf({ asr: { engine: 'whisper', pocketsphinx: { mode: 'keyphrase' } } }), []);
  assert.deepEqual(issuesOf({ asr: { tiers: { minimal: { model: 'x' } } } }), ['asr.tiers.minimal.model']);
  assert.ok(issuesOf({ asr: { engine: 'kaldi' } }).includes('asr.engine'));
  assert.ok(issuesOf({ asr: { whisper: { language: 'English' } } }).includes('asr.whisper.language'));
  assert.ok(issuesOf({ asr: { guards: { min_rms_dbfs: 5 } } }).includes('asr.guards.min_rms_dbfs'));
});
