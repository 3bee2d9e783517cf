// Runtime checks of a built rootfs (run by `npm run test:image -- --arch arm64`): parley runs
// INSIDE the rootfs (image/lib/in-rootfs.sh: proot + qemu-aarch64-static on an x86 host) and
// the same commands run on this machine's x64 build as the reference.
//
//   1. parley --version, and `file` on the installed better_sqlite3.node (must say AArch64)
//   2. mosquitto started inside the rootfs on a free port (never 1883)
//   3. parley doctor --json against it: no check fails; models + broker ok
//   4. parley transcribe sample.wav --db: real better-sqlite3, Silero through onnxruntime-node,
//      PocketSphinx, all of the target architecture; VAD segments and stored rows compared
//      with the same run on x64
//   5. parley run (file source, MQTT on): a segment event reaches an x64 subscriber outside the
//      rootfs, the event's segment is in the rootfs database, SIGTERM stops it with exit 0
//
// Usage: node --import tsx scripts/image/runtime-checks.ts --rootfs DIR [--work DIR]
//   PARLEY_EVAL_DIR      folder holding pyannote-sample/sample.wav (default ../shared/eval)
//   PARLEY_TEST_TIME_SCALE  multiplies every hang guard (default 1; emulation is already allowed for)
// Exit 0 when every check passed; prints one line per check and a figures table.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { evalDir } from '../../tests/helpers/diarization-eval.js';
import { EventConsumer } from '../../tests/helpers/mqtt-consumer.js';
import { MosquittoBroker } from '../../tests/helpers/mosquitto.js';
import { compareRuns, type RunOutput } from './compare-runs.js';
import { GuestProcess, inRootfs } from './guest.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const CLI = join(REPO, 'dist', 'cli', 'main.js');
const SCALE = Number(process.env.PARLEY_TEST_TIME_SCALE ?? '1') || 1;
const MIN = 60_000 * SCALE;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
if (process.argv.includes('--help') || !arg('--rootfs')) {
  console.error('usage: node --import tsx scripts/image/runtime-checks.ts --rootfs DIR [--work DIR]');
  process.exit(process.argv.includes('--help') ? 0 : 2);
}
const ROOTFS = resolve(arg('--rootfs')!);
const WORK = resolve(arg('--work') ?? join(REPO, '.cache', 'image', 'runtime'));
const GUEST_DIR = '/tmp/parley-test';
const HOST_DIR = join(ROOTFS, GUEST_DIR);
const figures: [string, string][] = [];
const REQUIRED_OK = ['capture', 'models.vad', 'models.asr', 'disk', 'broker'];
const HOST_MEASURED = new Set(['budget.cpu_load', 'budget.memory_available', 'budget.memory_available_pct', 'budget.swap_used', 'budget.disk_free', 'budget.temperature', 'budget.throttling']);

function ok(what: string): void {
  console.log(`  ok   ${what}`);
}
class CheckFailed extends Error {}
/** Throws, so that the finally blocks stop the guest broker and service before the exit. */
function fail(what: string): never {
  throw new CheckFailed(what);
}
async function timed<T>(label: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const r = await f();
  figures.push([label, `${((performance.now() - t0) / 1000).toFixed(1)} s`]);
  return r;
}
function runHost(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('exit', (code) => { clearTimeout(t); res({ code, stdout, stderr }); });
  });
}
function portOpen(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createConnection({ host: '127.0.0.1', port }, () => { s.destroy(); res(true); });
    s.on('error', () => res(false));
  });
}
function configYaml(o: { modelsDir: string; dataDir: string; deviceId: string; mqttUrl?: string; audioFile?: string }): string {
  return [
    'config_version: 1',
    `device:\n  id: ${o.deviceId}`,
    'log:\n  level: info',
    o.audioFile ? `audio:\n  source: file\n  file: ${o.audioFile}` : 'audio:\n  source: stdin',
    `storage:\n  db_path: ${o.dataDir}/parley.db\n  audio_dir: ${o.dataDir}/audio`,
    `models:\n  dir: ${o.modelsDir}`,
    o.mqttUrl ? `mqtt:\n  enabled: true\n  url: ${o.mqttUrl}` : 'mqtt:\n  enabled: false',
    // Emulation is 5-30x slower than a board: the hang guards go to their maxima (a 6 s clip's
    // PocketSphinx call overran the default 30 s + 3x guard under qemu on the loaded machine),
    // and the tiers, which would react to the emulator's real-time factor, are off. Same config
    // on both architectures.
    'asr:\n  pocketsphinx:\n    timeout_ms: 600000',
    'inference:\n  request_timeout_ms: 600000\n  load_timeout_ms: 600000',
    'tiers:\n  enabled: false',
    '',
  ].join('\n');
}
function dbRows(path: string): Record<string, unknown>[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT start_ms, end_ms, start_sample, end_sample, speaker, text, confidence, asr_engine, asr_model, tier FROM segments ORDER BY start_sample').all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}
function jsonLines(s: string): Record<string, unknown>[] {
  return s.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function main(): Promise<void> {
  const sample = join(evalDir(), 'pyannote-sample', 'sample.wav');
  if (!existsSync(sample)) fail(`${sample} missing: set PARLEY_EVAL_DIR to the folder holding pyannote-sample/`);
  if (!existsSync(CLI)) fail(`${CLI} missing: npm run build`);
  rmSync(HOST_DIR, { recursive: true, force: true });
  mkdirSync(join(HOST_DIR, 'data'), { recursive: true });
  mkdirSync(WORK, { recursive: true });
  copyFileSync(sample, join(HOST_DIR, 'sample.wav'));
  const guestArch = (await inRootfs(ROOTFS, ['/usr/bin/node', '-p', 'process.arch'], MIN)).stdout.trim();
  console.log(`runtime-checks: ${ROOTFS} (node arch ${guestArch}, runner ${spawnSync('bash', [join(REPO, 'image/lib/in-rootfs.sh'), '--runner', ROOTFS]).stdout.toString().trim()})`);

  // 1. version + the addon's architecture
  const v = await timed('parley --version (guest)', () => inRootfs(ROOTFS, ['parley', '--version'], 5 * MIN));
  const want = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
  if (v.code !== 0 || !v.stdout.includes(want)) fail(`parley --version: ${v.stdout}${v.stderr}`);
  ok(`parley --version: ${v.stdout.trim()} (${guestArch})`);
  const addon = join(ROOTFS, 'opt/parley/node_modules/better-sqlite3/build/Release/better_sqlite3.node');
  const fileOut = spawnSync('file', ['-b', addon]).stdout.toString().trim();
  console.log(`  file better_sqlite3.node: ${fileOut}`);
  if (guestArch === 'arm64' && !/ARM aarch64/.test(fileOut)) fail('better_sqlite3.node is not an AArch64 ELF');

  // 2. mosquitto inside the rootfs
  const port = await MosquittoBroker.freePort();
  if (port === 1883) fail('free port 1883: refusing the system broker port');
  writeFileSync(join(HOST_DIR, 'mq.conf'), [
    `listener ${port} 127.0.0.1`, 'allow_anonymous true', 'user root', 'persistence false',
    `log_dest file ${GUEST_DIR}/mosquitto.log`, 'log_type error', 'log_type warning', 'log_type notice', '',
  ].join('\n'));
  const broker = new GuestProcess(ROOTFS, `${GUEST_DIR}/mosquitto.pid`, ['mosquitto', '-c', `${GUEST_DIR}/mq.conf`]);
  const url = `mqtt://127.0.0.1:${port}`;
  const deviceId = `${guestArch}-image-test`;
  let service: GuestProcess | undefined;
  try {
    const t0 = performance.now();
    while (!(await portOpen(port))) {
      if (broker.exited) fail(`mosquitto in the rootfs exited: ${broker.output()}`);
      if (performance.now() - t0 > 2 * MIN) fail('mosquitto in the rootfs did not open its port');
      await new Promise((r) => setTimeout(r, 200));
    }
    figures.push(['mosquitto start (guest)', `${((performance.now() - t0) / 1000).toFixed(1)} s`]);
    ok(`mosquitto ${(await inRootfs(ROOTFS, ['sh', '-c', 'dpkg-query -W -f "\\${Version} \\${Architecture}" mosquitto'], MIN)).stdout} listening on 127.0.0.1:${port} inside the rootfs (pid ${broker.guestPid()})`);

    // 3. doctor
    writeFileSync(join(HOST_DIR, 'doctor.yaml'), configYaml({ modelsDir: '/opt/parley/models', dataDir: `${GUEST_DIR}/data`, deviceId, mqttUrl: url, audioFile: `${GUEST_DIR}/sample.wav` }));
    const d = await timed('parley doctor --json (guest)', () => inRootfs(ROOTFS, ['parley', 'doctor', '--json', '--config', `${GUEST_DIR}/doctor.yaml`], 10 * MIN));
    let report: { ok: boolean; checks: { name: string; state: string; detail: string }[] };
    try {
      report = JSON.parse(d.stdout) as typeof report;
    } catch {
      fail(`doctor --json printed no JSON (exit ${d.code}): ${d.stdout}${d.stderr}`);
    }
    console.log(`  doctor: ${report.checks.map((c) => `${c.name}=${c.state}`).join(' ')}`);
    for (const c of report.checks.filter((x) => x.state === 'warn' || x.state === 'skip')) console.log(`    ${c.state} ${c.name}: ${c.detail}`);
    const state = (n: string): string | undefined => report.checks.find((c) => c.name === n)?.state;
    // Budgets measure the HOST (its load, memory, disks) under emulation: reported, not judged.
    const failed = report.checks.filter((c) => c.state === 'fail' && !HOST_MEASURED.has(c.name));
    if (failed.length > 0) fail(`doctor reports failures: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`);
    if (d.code !== (report.ok ? 0 : 1)) fail(`doctor exit ${d.code} does not match ok=${report.ok}`);
    for (const n of REQUIRED_OK) if (state(n) !== 'ok') fail(`doctor check ${n} is ${state(n)}`);
    ok(`parley doctor --json: ${REQUIRED_OK.join(', ')} ok; no other check fails`);

    // 4. transcribe --db, guest vs x64
    writeFileSync(join(HOST_DIR, 'transcribe.yaml'), configYaml({ modelsDir: '/opt/parley/models', dataDir: `${GUEST_DIR}/data`, deviceId }));
    const hostCfg = join(WORK, 'transcribe-x64.yaml');
    rmSync(join(WORK, 'x64.db'), { force: true });
    writeFileSync(hostCfg, configYaml({ modelsDir: join(REPO, 'models'), dataDir: WORK, deviceId }));
    const tArgs = (wav: string, db: string, cfg: string): string[] => ['transcribe', wav, '--db', db, '--json', '--config', cfg];
    const g = await timed(`parley transcribe (${guestArch}, emulated)`, () => inRootfs(ROOTFS, ['parley', ...tArgs(`${GUEST_DIR}/sample.wav`, `${GUEST_DIR}/data/transcribe.db`, `${GUEST_DIR}/transcribe.yaml`)], 60 * MIN));
    if (g.code !== 0) fail(`transcribe in the rootfs exited ${g.code}: ${g.stderr.slice(-3000)}`);
    const h = await timed('parley transcribe (x64, this machine)', () => runHost(tArgs(sample, join(WORK, 'x64.db'), hostCfg), 30 * MIN));
    if (h.code !== 0) fail(`transcribe on x64 exited ${h.code}: ${h.stderr.slice(-3000)}`);
    const guestRun: RunOutput = { lines: jsonLines(g.stdout), rows: dbRows(join(HOST_DIR, 'data/transcribe.db')) };
    const hostRun: RunOutput = { lines: jsonLines(h.stdout), rows: dbRows(join(WORK, 'x64.db')) };
    const cmp = compareRuns(hostRun, guestRun);
    for (const l of cmp.report) console.log(`  ${l}`);
    if (!cmp.equal) fail(`${guestArch} and x64 transcribe runs differ`);
    const sum = guestRun.lines.find((l) => l.type === 'summary') as { engines: { vad: { engine: string }; asr: { engine: string; withText: number } } };
    ok(`parley transcribe --db: ${guestRun.rows.length} segments stored by ${guestArch} better-sqlite3, VAD ${sum.engines.vad.engine}, ASR ${sum.engines.asr.engine} (${sum.engines.asr.withText} with text); equal to x64`);

    // 5. parley run → MQTT segment event at an x64 subscriber outside the rootfs
    const consumer = await EventConsumer.connect(url, `parley/${deviceId}`);
    try {
      writeFileSync(join(HOST_DIR, 'run.yaml'), configYaml({ modelsDir: '/opt/parley/models', dataDir: `${GUEST_DIR}/data/run`, deviceId, mqttUrl: url, audioFile: `${GUEST_DIR}/sample.wav` }));
      mkdirSync(join(HOST_DIR, 'data/run'), { recursive: true });
      const t1 = performance.now();
      service = new GuestProcess(ROOTFS, `${GUEST_DIR}/run.pid`, ['parley', 'run', '--config', `${GUEST_DIR}/run.yaml`]);
      const isSegment = (): boolean => consumer.received.some((m) => m.topic.endsWith('/event/segment'));
      await consumer.waitFor(() => isSegment() || service!.exited, 60 * MIN, 'a segment event from parley run in the rootfs');
      if (!isSegment()) fail(`parley run exited before publishing a segment: ${service.output().slice(-3000)}`);
      figures.push([`parley run: start → first segment event (${guestArch})`, `${((performance.now() - t1) / 1000).toFixed(1)} s`]);
      const msg = consumer.received.find((m) => m.topic.endsWith('/event/segment'))!;
      const ev = JSON.parse(msg.payload) as Record<string, unknown>;
      console.log(`  x64 subscriber got ${msg.topic}: ${msg.payload.slice(0, 240)}`);
      const t2 = performance.now();
      const stop = await service.stop('SIGTERM', 5 * MIN);
      figures.push([`parley run: SIGTERM → exit (${guestArch})`, `${((performance.now() - t2) / 1000).toFixed(1)} s`]);
      if (stop !== 0) fail(`parley run exited ${stop} after SIGTERM: ${service.output().slice(-3000)}`);
      const segId = ev.segment_id as string;
      if (ev.kind !== 'segment' || typeof segId !== 'string') fail(`not a segment event: ${msg.payload}`);
      const db = new Database(join(HOST_DIR, 'data/run/parley.db'), { readonly: true });
      try {
        const n = (db.prepare('SELECT COUNT(*) AS n FROM segments WHERE id = ?').get(segId) as { n: number }).n;
        if (n !== 1) fail(`the published segment ${segId} is not in the rootfs database`);
      } finally {
        db.close();
      }
      ok(`parley run: segment event ${ev.event_id as string} (seq ${ev.seq as number}) received outside the rootfs; segment ${segId} stored; SIGTERM → exit 0`);
    } finally {
      await consumer.close();
    }
  } finally {
    if (service && !service.exited) await service.stop('SIGKILL', MIN).catch(() => undefined);
    await broker.stop('SIGTERM', MIN).catch(() => undefined);
  }

  console.log('\n  emulated figures (wall time on this machine):');
  for (const [k, val] of figures) console.log(`    ${k.padEnd(52)} ${val}`);
  writeFileSync(join(WORK, 'figures.json'), JSON.stringify(Object.fromEntries(figures), null, 2));
  console.log('runtime-checks: passed');
}

main().catch((err: unknown) => {
  console.error(`runtime-checks: FAIL: ${err instanceof CheckFailed ? err.message : (err as Error).stack ?? String(err)}`);
  process.exit(1);
});
