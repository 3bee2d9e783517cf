import { Type } from '@sinclair/typebox';
import { StringEnum } from '../string-enum.js';

/**
 * `monitor`: where readings come from and how often they are sampled. The roots are
 * configurable so tests (and `parley doctor --sysfs-root`) can point at fixture trees.
 */
export const MonitorSection = Type.Object(
  {
    interval_ms: Type.Integer({ default: 5000, minimum: 100, maximum: 600000, description: 'Sampling interval of the resource monitor, in ms.' }),
    sysfs_root: Type.String({ default: '/sys', description: 'Root of sysfs for thermal zones (class/thermal/thermal_zone*/temp) and the Raspberry Pi get_throttled file. Tests point it at a fixture tree.' }),
    proc_root: Type.String({ default: '', description: 'Read meminfo and loadavg from this procfs root instead of the live system (systeminformation). Empty: the live system. For fixture tests.' }),
    use_vcgencmd: Type.Boolean({ default: true, description: 'When sysfs has no get_throttled file, run `vcgencmd get_throttled` (Raspberry Pi only; skipped when the tool is absent).' }),
    data_dir: Type.String({ default: '', description: 'Directory whose volume is watched for free space. Empty: the directory of storage.db_path.' }),
  },
  { additionalProperties: false, default: {}, description: 'Resource monitor (memory, temperature, throttling, load, disk, pipeline).' },
);

/** `budgets`: disk reserve, retention, backlog size and the budgets shown next to readings. */
export const BudgetsSection = Type.Object(
  {
    disk_reserve_mb: Type.Integer({ default: 256, minimum: 1, maximum: 1048576, description: 'Free space kept on the data volume. Below it capture pauses (a full disk cannot even checkpoint SQLite).' }),
    disk_resume_margin_mb: Type.Integer({ default: 64, minimum: 0, maximum: 1048576, description: 'Capture resumes when free space is above disk_reserve_mb plus this margin (hysteresis).' }),
    disk_retention_target_mb: Type.Integer({ default: 512, minimum: 0, maximum: 1048576, description: 'Retention deletes audio (oldest first) until free space is above disk_reserve_mb plus this target.' }),
    audio_retention_days: Type.Integer({ default: 30, minimum: 0, maximum: 36500, description: 'Stored segment audio older than this is deleted by the retention job (0: keep until space is needed).' }),
    transcript_retention_days: Type.Integer({ default: 365, minimum: 0, maximum: 36500, description: 'Transcripts (segment rows) older than this are deleted by the retention job (0: keep forever).' }),
    backlog_max_mb: Type.Integer({ default: 512, minimum: 1, maximum: 1048576, description: 'Cap on spooled backlog audio waiting for deferred ASR/diarization.' }),
    backlog_drop_policy: StringEnum(['drop-newest', 'drop-oldest'] as const, {
      default: 'drop-newest',
      description: 'When the backlog is full: drop-newest refuses new audio (the segment row stays, text missing), drop-oldest evicts the oldest queued item. Every drop is counted and logged.',
    }),
    memory_warn_available_mb: Type.Integer({ default: 600, minimum: 0, description: 'Available memory below this is shown as warn.' }),
    rss_budget_mb: Type.Integer({ default: 600, minimum: 16, description: 'Service RSS above this is shown as warn (critical at 1.25x). MemoryHigh in the unit is the hard-ish limit.' }),
    swap_warn_used_mb: Type.Integer({ default: 256, minimum: 0, description: 'Swap in use above this is shown as warn.' }),
    load_warn_pct: Type.Integer({ default: 90, minimum: 1, maximum: 100, description: 'CPU load (all cores) above this percentage is shown as warn.' }),
  },
  { additionalProperties: false, default: {}, description: 'Resource budgets: disk reserve, retention, backlog cap, warning levels.' },
);
