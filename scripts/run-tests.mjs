#!/usr/bin/env node
// Runs the test lanes with node:test (Node 20 has no --test globbing).
// Usage: node scripts/run-tests.mjs [lane ...]   lanes: unit integration fault hil (default: unit integration fault)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log('usage: node scripts/run-tests.mjs [lane ...]\nRuns tests/<lane>/**/*.test.ts with node:test. Default lanes: unit integration fault. The hil lane runs the emulated profile when PARLEY_HIL_PROFILE=emulated.');
  process.exit(0);
}
const lanes = args.filter((a) => !a.startsWith('-'));
const chosen = lanes.length > 0 ? lanes : ['unit', 'integration', 'fault'];
const files = [];
const walk = (dir) => {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(p);
  }
};
for (const lane of chosen) walk(join('tests', lane));
if (files.length === 0) {
  console.error(`no test files found in lanes: ${chosen.join(', ')}`);
  process.exit(1);
}
const concurrency = process.env.PARLEY_TEST_CONCURRENCY ?? '2';
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
