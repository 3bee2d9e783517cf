import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfig } from '../../../src/config/load.js';
import { registerParleyJobs } from '../../../src/jobs/parley-jobs.js';
import { JobScheduler } from '../../../src/jobs/scheduler.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('runs each slot once, counts overlaps of a slow job, accepts jobs after start', async () => {
  const s = new JobScheduler();
  const slots: number[] = [];
  s.registerJob('fast', '* * * * * *', (c) => { slots.push(c.slotWallMs); });
  s.registerJob('slow', '* * * * * *', async () => {
    await sleep(2500);
  });
  s.start();
  let late = 0;
  s.registerJob('late', '* * * * * *', () => { late++; });
  await sleep(3300);
  await s.stop();
  assert.ok(slots.length >= 3, `ran ${slots.length}`);
  assert.equal(new Set(slots).size, slots.length, 'no slot twice');
  assert.ok(slots.every((t) => t % 1000 === 0));
  const slow = s.stats().find((x) => x.name === 'slow');
  assert.ok(slow && slow.overlaps >= 1, 'overlapping slots are skipped and counted');
  assert.ok(late >= 2);
});

test('bad cron, duplicate names and unknown runNow are typed usage errors; failures are counted', async () => {
  const s = new JobScheduler();
  assert.throws(() => s.registerJob('x', 'every minute', () => undefined), /invalid cron expression/);
  s.registerJob('boom', '0 0 1 1 *', () => { throw new Error('boom'); });
  assert.throws(() => s.registerJob('boom', '* * * * *', () => undefined), /already registered/);
  await assert.rejects(s.runNow('nope'), /no job named/);
  assert.equal(await s.runNow('boom'), true);
  assert.equal(s.stats()[0]?.failures, 1);
  await s.stop();
});

test('parley jobs: maintenance jobs registered; a scheduled session starts and stops after its duration', async () => {
  const cfg = defaultConfig({ jobs: { sessions: [{ name: 'standup', cron: '* * * * * *', duration_s: 1 }] } });
  const s = new JobScheduler();
  const events: string[] = [];
  const timers = registerParleyJobs(s, cfg, {
    retention: () => undefined, checkpoint: () => undefined, backlogKick: () => undefined, heartbeat: () => undefined,
    startSession: (n, d) => { events.push(`start ${n} ${d}`); },
    stopSession: (n) => { events.push(`stop ${n}`); },
  });
  assert.deepEqual(s.stats().map((x) => x.name), ['retention', 'checkpoint', 'backlog-drain', 'heartbeat', 'session:standup']);
  s.start();
  const until = async (cond: () => boolean) => { const end = Date.now() + 5000; while (!cond() && Date.now() < end) await sleep(20); };
  await until(() => timers.active().length > 0);
  assert.deepEqual(timers.active(), ['standup']);
  await until(() => events.includes('stop standup'));
  await s.stop();
  await timers.stopAll();
  assert.equal(events[0], 'start standup 1');
  assert.ok(events.includes('stop standup'));
  for (let i = 1; i < events.length; i++) assert.notEqual(events[i], events[i - 1], 'start/stop alternate: no overlapping session');
  assert.throws(() => defaultConfig({ jobs: { retention_cron: 'daily' } }), /jobs\.retention_cron is not a valid cron expression/);
});
