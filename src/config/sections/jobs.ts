import { Type } from '@sinclair/typebox';
import cron from 'node-cron';
import type { ConfigIssue } from '../../util/errors.js';
import type { SemanticCheck } from '../semantic.js';

const cronExpr = (def: string, what: string) =>
  Type.String({ default: def, minLength: 1, description: `Cron expression (node-cron, optional seconds field) for ${what}.` });

export const ScheduledSessionSchema = Type.Object(
  {
    name: Type.String({ default: 'scheduled', pattern: '^[A-Za-z0-9_.-]+$', description: 'Name of the scheduled session (logs, events).' }),
    cron: Type.String({ minLength: 1, description: 'Cron expression for the session start, e.g. "0 9 * * 1-5".' }),
    duration_s: Type.Integer({ minimum: 1, maximum: 86400, description: 'Session length in seconds; the session is stopped after it.' }),
  },
  { additionalProperties: false },
);

/** `jobs`: periodic maintenance and scheduled sessions (node-cron 4, local time zone). */
export const JobsSection = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Run scheduled jobs.' }),
    timezone: Type.String({ default: '', description: 'IANA time zone for cron expressions (empty: the system zone).' }),
    retention_cron: cronExpr('17 3 * * *', 'the retention job (old audio, then old transcripts)'),
    checkpoint_cron: cronExpr('*/5 * * * *', 'the SQLite WAL checkpoint (TRUNCATE)'),
    backlog_drain_cron: cronExpr('* * * * *', 'the backlog drain kick (catch-up starts if the tier allows)'),
    heartbeat_cron: cronExpr('*/30 * * * * *', 'the heartbeat written into status'),
    max_clock_jump_s: Type.Integer({
      default: 172800, minimum: 60, maximum: 31536000,
      description: 'Retention refuses to delete by age when the wall clock moved more than this beyond monotonic time since its last run (RTC-less boards: 1970 boot, then NTP). Deleting for disk space is unaffected.',
    }),
    sessions: Type.Array(ScheduledSessionSchema, { default: [], description: 'Scheduled meeting sessions: start at cron, stop after duration_s.' }),
  },
  { additionalProperties: false, default: {}, description: 'Scheduled jobs: retention, checkpoint, backlog drain, heartbeat, sessions.' },
);

/** Every cron expression must parse (node-cron's own validator). */
export const jobsCheck: SemanticCheck = (c) => {
  const issues: ConfigIssue[] = [];
  const j = c.jobs;
  for (const key of ['retention_cron', 'checkpoint_cron', 'backlog_drain_cron', 'heartbeat_cron'] as const) {
    if (!cron.validate(j[key])) issues.push({ path: `jobs.${key}`, message: `is not a valid cron expression: "${j[key]}"` });
  }
  j.sessions.forEach((s, i) => {
    if (!cron.validate(s.cron)) issues.push({ path: `jobs.sessions.${i}.cron`, message: `is not a valid cron expression: "${s.cron}"` });
  });
  return issues;
};
