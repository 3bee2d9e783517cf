/** The unit file must verify without a single line of output (systemd-analyze exits 0 even on bad values: B2.7). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SYSTEMD_DIR = fileURLToPath(new URL('../../../systemd/', import.meta.url));

function verify(file: string): string {
  if (!existsSync('/usr/bin/systemd-analyze')) throw new Error('systemd-analyze is required (apt-get install systemd)');
  const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', timeout: 30_000 });
  return `${r.stdout}${r.stderr}`;
}

test('every systemd/*.service verifies with no output at all', () => {
  const units = readdirSync(SYSTEMD_DIR).filter((n) => n.endsWith('.service'));
  assert.ok(units.includes('parley.service'));
  for (const u of units) assert.equal(verify(join(SYSTEMD_DIR, u)), '', `${u}: systemd-analyze verify printed something`);
});

test('the check can fail: a bad value in a copy is reported', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-unit-'));
  try {
    const bad = join(dir, 'parley.service');
    writeFileSync(bad, readFileSync(join(SYSTEMD_DIR, 'parley.service'), 'utf8').replace('WatchdogSec=30', 'WatchdogSec=thirty'));
    assert.match(verify(bad), /Failed to parse sec value/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the unit has the promised shape', () => {
  const u = readFileSync(join(SYSTEMD_DIR, 'parley.service'), 'utf8');
  const has = (line: string) => assert.ok(u.split('\n').includes(line), `missing ${line}`);
  for (const line of [
    'Type=notify', 'NotifyAccess=all', 'WatchdogSec=30', 'Restart=on-failure', 'StartLimitBurst=5', 'ProtectSystem=strict',
    'ReadWritePaths=/var/lib/parley', 'PrivateTmp=yes', 'NoNewPrivileges=yes', 'SupplementaryGroups=audio dialout', 'DeviceAllow=char-alsa rw',
    'ExecStart=/usr/bin/node /opt/parley/dist/cli/main.js run --config /etc/parley/config.yaml', 'TimeoutStopSec=20',
  ]) has(line);
  assert.match(u, /^MemoryHigh=\d+M$/m);
  assert.match(u, /^MemoryMax=\d+M$/m);
  assert.match(u, /^Nice=\d+$/m);
});
