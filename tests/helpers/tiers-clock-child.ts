/**
 * Child fixture for the clock-jump fault test (run under libfaketime). A 2-second job and a
 * retention pass over files aged relative to the start; prints one JSON line per event.
 * STATE_DIR holds the audio and the ClockGuard state.
 */
import { mkdirSync, utimesSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ClockGuard } from '../../src/jobs/clock-guard.js';
import { runRetention } from '../../src/jobs/retention.js';
import { JobScheduler } from '../../src/jobs/scheduler.js';
import { DiskBudget } from '../../src/storage/disk-budget.js';

const dir = process.env.STATE_DIR as string;
const out = (o: object) => console.log(JSON.stringify({ wall: Date.now(), mono: Math.round(performance.now()), rssMb: Math.round(process.memoryUsage().rss / 1048576), ...o }));
const audio = join(dir, 'audio');
mkdirSync(audio, { recursive: true });
for (const [name, ageDays] of [['old.wav', 40], ['week.wav', 7], ['today.wav', 0]] as const) {
  const p = join(audio, name);
  writeFileSync(p, 'x');
  const t = (Date.now() - ageDays * 86_400_000) / 1000;
  utimesSync(p, t, t);
}
const guard = new ClockGuard({ stateFile: join(dir, 'clock.json'), maxJumpS: 172800, wallIsSynced: () => false });
guard.observe();
const disk = new DiskBudget({ dataDir: dir, audioDir: audio, reserveMb: 1, resumeMarginMb: 1, retentionTargetMb: 1 });
const s = new JobScheduler({ onClockJump: (jumpMs) => out({ ev: 'jump', jumpMs }), onMissed: (name, missed) => out({ ev: 'missed', name, missed }) });
s.registerJob('tick', '*/2 * * * * *', (c) => out({ ev: 'run', slot: c.slotWallMs, catchUp: c.catchUp }), { runMissed: true });
s.registerJob('heartbeat', '* * * * * *', () => { guard.observe(); });
s.start();
process.stdin.setEncoding('utf8').on('data', (d: string) => {
  if (d.includes('retention')) {
    const r = runRetention({ guard, disk, store: { deleteTranscriptsOlderThan: () => 0 }, audioDir: audio, protectDirs: [], audioRetentionDays: 30, transcriptRetentionDays: 0 });
    out({ ev: 'retention', agedAudioFiles: r.agedAudioFiles, left: readdirSync(audio).sort() });
  }
  if (d.includes('exit')) void s.stop().then(() => process.exit(0));
});
out({ ev: 'started' });
