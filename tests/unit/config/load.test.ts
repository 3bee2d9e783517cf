import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderDefaultYaml } from '../../../src/config/describe.js';
import { defaultConfig, loadConfig, validateConfigFile } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/util/errors.js';

const fx = (n: string): string => `tests/fixtures/config/${n}.yaml`;

test('a valid file loads with defaults filled in and is deeply frozen', () => {
  const { config } = loadConfig(fx('valid'), { env: {} });
  assert.equal(config.device.id, 'pi-kitchen');
  assert.equal(config.vad.threshold, 0.6);
  assert.equal(config.vad.min_speech_ms, 250, 'default filled');
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.vad));
  assert.throws(() => {
    (config.vad as { threshold: number }).threshold = 0.1;
  }, TypeError);
});

test('config/default.yaml is exactly what the schema renders (single source of truth)', () => {
  assert.equal(readFileSync('config/default.yaml', 'utf8'), renderDefaultYaml());
  assert.deepEqual(validateConfigFile('config/default.yaml'), []);
});

const cases: Array<[string, string, RegExp, number | undefined]> = [
  ['typo-key', 'vad.treshold', /not a known key; did you mean `vad\.threshold`/, 2],
  ['wrong-type', 'vad.threshold', /must be number/, 2],
  ['out-of-range', 'vad.threshold', /must be <= 0\.99/, 2],
  ['empty', '', /empty .*truncated write/, 1],
  ['truncated', '', /YAML syntax error/, undefined],
  ['future-version', 'config_version', /is 99 but this parley understands up to 1/, 1],
  ['not-a-mapping', '', /must be a mapping/, 1],
  ['cross-key', 'vad.neg_threshold', /must be below vad\.threshold/, 3],
  ['duplicate-key', '', /YAML syntax error.*unique/i, undefined],
];
for (const [name, path, re, line] of cases) {
  test(`malformed config "${name}" gives a clear issue with its key path and line`, () => {
    const issues = validateConfigFile(fx(name));
    const hit = issues.find((i) => i.path === path && re.test(i.message));
    assert.ok(hit, `expected ${path} ${re} in ${JSON.stringify(issues)}`);
    if (line !== undefined) assert.equal(hit.line, line);
    else assert.ok(typeof hit.line === 'number' || hit.line === undefined);
  });
}

test('a missing file is a ConfigError naming the file', () => {
  assert.throws(() => loadConfig('/nonexistent/parley.yaml', { env: {} }), (e: unknown) => e instanceof ConfigError && /does not exist/.test(e.message) && e.message.includes('/nonexistent/parley.yaml'));
});

test('PARLEY_<SECTION>_<KEY> environment overrides are typed and validated', () => {
  const { config } = loadConfig(fx('valid'), { env: { PARLEY_VAD_THRESHOLD: '0.7', PARLEY_VAD_MIN_SILENCE_MS: '500', PARLEY_AUDIO_FILE_LOOP: 'true', PARLEY_EVAL_DIR: '/x' } });
  assert.equal(config.vad.threshold, 0.7);
  assert.equal(config.vad.min_silence_ms, 500);
  assert.equal(config.audio.file_loop, true);
  assert.throws(() => loadConfig(fx('valid'), { env: { PARLEY_VAD_THRESHOLD: 'loud' } }), /vad\.threshold from PARLEY_VAD_THRESHOLD: "loud" is not a number/);
  assert.throws(() => loadConfig(fx('valid'), { env: { PARLEY_VAD_TRESHOLD: '0.5' } }), /PARLEY_VAD_TRESHOLD is not a known/);
  assert.throws(() => loadConfig(fx('valid'), { env: { PARLEY_VAD_THRESHOLD: '7' } }), /vad\.threshold must be <= 0\.99/);
});

test('defaultConfig validates and accepts overrides', () => {
  const c = defaultConfig({ vad: { threshold: 0.45 } });
  assert.equal(c.vad.threshold, 0.45);
  assert.equal(c.audio.source, 'alsa');
  assert.throws(() => defaultConfig({ vad: { bogus: 1 } }), /vad\.bogus is not a known key/);
});

test('`parley config validate` prints `<path> <message> (line N)` and exits 1; 0 for a valid file', () => {
  const bad = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'config', 'validate', fx('typo-key')], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /^vad\.treshold is not a known key; did you mean `vad\.threshold`\? \(line 2\)$/m);
  const good = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'config', 'validate', fx('valid')], { encoding: 'utf8' });
  assert.equal(good.status, 0, good.stderr);
  assert.match(good.stdout, /ok/);
  assert.equal(good.stderr, '');
});

test('environment overrides apply when no config file is given (CLI commands without --config)', () => {
  const { config, file } = loadConfig(undefined, { env: { PARLEY_DIARIZATION_REFINE_MS: '250', PARLEY_AUDIO_SOURCE: 'stdin' } });
  assert.equal(file, undefined);
  assert.equal(config.diarization.refine_ms, 250);
  assert.equal(config.audio.source, 'stdin');
});
