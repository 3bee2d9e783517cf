/**
 * The slow lanes (npm run test:arm64, npm run test:image -- --arch arm64) are not in the default
 * CI run; these smokes keep them from rotting. Each takes seconds: the preconditions of every
 * lane (image/build.sh --dry-run, test-image.sh --dry-run), the arm64 Node + onnxruntime arm64
 * library under qemu (test-arm64.sh --smoke), and the proot statx guard the arm64 image build
 * depends on. A drifted precondition (a package dropped from install-system-deps.sh, a moved
 * model or sample, a proot that kills its tracees) fails npm test here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO } from '../../helpers/cli.js';

const SCALE = Number(process.env.PARLEY_TEST_TIME_SCALE ?? '1') || 1;
const isRoot = process.getuid?.() === 0;
const hostArch = spawnSync('dpkg', ['--print-architecture']).stdout?.toString().trim();

function sh(cmd: string, args: string[], timeoutS = 120): { code: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd: REPO, timeout: timeoutS * 1000 * SCALE, env: { ...process.env, npm_config_loglevel: 'error' } });
  return { code: r.status, out: `${r.stdout?.toString() ?? ''}${r.stderr?.toString() ?? ''}` };
}

test('proot guard: without it proot 5.1 resolves statx against the HOST root; through image/lib/enosys-exec.py the guest path is found', () => {
  const root = mkdtempSync(join(tmpdir(), 'parley-proot-'));
  try {
    mkdirSync(join(root, 'guest-only'));
    writeFileSync(join(root, 'guest-only', 'marker'), 'hello\n');
    const binds = ['/usr', '/lib', '/lib64', '/bin'].flatMap((d) => ['-b', d]);
    const probe = ['-r', root, '-w', '/', ...binds, '/usr/bin/stat', '-c', '%s', '/guest-only/marker'];
    const bare = sh('proot', probe, 30);
    assert.notEqual(bare.code, 0, `bare proot found the guest file; if proot now translates statx, the guard may be dropped: ${bare.out}`);
    const guarded = sh('/usr/bin/python3', [join(REPO, 'image/lib/enosys-exec.py'), 'proot', ...probe], 30);
    assert.equal(guarded.code, 0, guarded.out);
    assert.match(guarded.out, /^6$/m);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('image/build.sh --dry-run: every prerequisite of the arm64 and amd64 builds is installed', { skip: !isRoot && 'the image build needs root (CI runs as root)' }, () => {
  const arm = sh('bash', ['image/build.sh', '--arch', 'arm64', '--image', '--dry-run']);
  assert.equal(arm.code, 0, arm.out);
  if (hostArch === 'amd64') assert.match(arm.out, /target programs run with: (proot|chroot) \+ qemu-aarch64-static/);
  const amd = sh('bash', ['image/build.sh', '--arch', 'amd64', '--image', '--dry-run']);
  assert.equal(amd.code, 0, amd.out);
  const bad = sh('bash', ['image/build.sh', '--arch', 'arm64', '--config', '/nonexistent/parley.yaml', '--dry-run']);
  assert.equal(bad.code, 1);
  assert.match(bad.out, /--config \/nonexistent\/parley\.yaml does not exist/);
});

test('npm run test:image -- --arch arm64 --dry-run: the emulated image lane\'s preconditions hold', { skip: !isRoot && 'the image lane needs root (CI runs as root)' }, () => {
  const r = sh('bash', ['scripts/test-image.sh', '--arch', 'arm64', '--dry-run']);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /dry run passed \(arm64, with runtime checks\)/);
});

test('npm run test:arm64 smoke: arm64 Node 20 + onnxruntime-node\'s arm64 library load the Silero model under qemu', { skip: !isRoot && 'the arm64 lane needs root (unshare -m, CI runs as root)' }, () => {
  const r = sh('bash', ['scripts/test-arm64.sh', '--smoke'], 300);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /smoke passed \(node 20\.\d+\.\d+ arm64 under qemu; Silero session inputs input,state,sr; [1-9]\d* pure unit test files/);
});
