import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-doctor-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Report { ok: boolean; checks: { name: string; state: string; detail: string; fix?: string }[] }

function config(name: string, extra: string[] = []): string {
  const f = join(dir, `${name}.yaml`);
  writeFileSync(f, ['storage:', `  db_path: ${join(dir, name, 'p.db')}`, `  audio_dir: ${join(dir, name, 'audio')}`, ...extra].join('\n'));
  return f;
}

test('doctor --json: installed models, free space of the data volume (statfs) and budgets from the real machine', async () => {
  const r = await runCli(['doctor', '--json', '--only', 'disk,models,budgets', '--config', config('good')]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const rep = JSON.parse(r.stdout) as Report;
  assert.equal(rep.ok, true);
  const disk = rep.checks.find((c) => c.name === 'disk');
  // the data directory does not exist yet: its nearest existing ancestor is measured
  assert.match(disk?.detail ?? '', new RegExp(`^\\d+ MB free on the data volume \\(${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`));
  assert.equal(rep.checks.find((c) => c.name === 'models.vad')?.state, 'ok');
  const load = rep.checks.find((c) => c.name === 'budget.cpu_load');
  assert.match(load?.detail ?? '', /^\d+(\.\d+)? %/, 'CPU load from /proc/stat is a number, not n/a');
  assert.match(rep.checks.find((c) => c.name === 'budget.disk_free')?.detail ?? '', /^\d+(\.\d+)? MB/);
});

test('doctor: a models directory without the VAD fails with what to run, exit 1; an unknown check is a usage error', async () => {
  const empty = join(dir, 'no-models');
  const r = await runCli(['doctor', '--json', '--only', 'models', '--config', config('bad', ['models:', `  dir: ${empty}`])]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const vad = (JSON.parse(r.stdout) as Report).checks.find((c) => c.name === 'models.vad');
  assert.equal(vad?.state, 'fail');
  assert.match(`${vad?.detail} ${vad?.fix}`, /model file not found: .*no-models.* npm run models:fetch/);
  const u = await runCli(['doctor', '--only', 'nope']);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /unknown check nope/);
});
