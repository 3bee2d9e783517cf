import { Type } from '@sinclair/typebox';
import { StringEnum } from '../string-enum.js';
import type { ConfigIssue } from '../../util/errors.js';
import type { SemanticCheck } from '../semantic.js';

/** One entry/exit pair; `enter` triggers the tier, `exit` must be passed to leave it (hysteresis). */
function level(enter: number, exit: number, what: string) {
  return Type.Object(
    {
      enter: Type.Number({ default: enter, description: `Enter the tier when ${what} crosses this.` }),
      exit: Type.Number({ default: exit, description: `Leave the tier only once ${what} is back past this.` }),
    },
    { additionalProperties: false, default: {}, description: `Thresholds (${what}).` },
  );
}

/** Per-resource thresholds for the three degraded tiers (a disabled level: enter out of reach). */
function resource(what: string, r: [number, number], m: [number, number], p: [number, number], desc: string) {
  return Type.Object(
    { reduced: level(r[0], r[1], what), minimal: level(m[0], m[1], what), paused: level(p[0], p[1], what) },
    { additionalProperties: false, default: {}, description: desc },
  );
}

function actions(asr: string, partials: boolean, diar: string, capture: boolean, threads: number, tier: string) {
  return Type.Object(
    {
      asr: StringEnum(['normal', 'reduced', 'deferred'] as const, { default: asr, description: `ASR in ${tier}: normal bundle, reduced (smaller bundle), or deferred (audio spooled to the backlog).` }),
      partials: Type.Boolean({ default: partials, description: `Streaming partial results in ${tier}.` }),
      diarization: StringEnum(['live', 'deferred'] as const, { default: diar, description: `Diarization in ${tier}: live or deferred to catch-up.` }),
      capture: Type.Boolean({ default: capture, description: `Capture runs in ${tier}.` }),
      threads: Type.Integer({ default: threads, minimum: 1, maximum: 16, description: `Inference threads in ${tier}.` }),
    },
    { additionalProperties: false, default: {}, description: `What the pipeline does in ${tier}.` },
  );
}

export const TIER_NAMES = ['normal', 'reduced', 'minimal', 'paused'] as const;

/**
 * `tiers`: the degradation ladder normal → reduced → minimal → paused. Defaults suit a
 * fanless Raspberry Pi 5 (firmware throttles from 80-85 °C).
 */
export const TiersSection = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Run the tier engine. Off: always normal (readings are still shown).' }),
    dwell_s: Type.Number({ default: 30, minimum: 0, maximum: 3600, description: 'Minimum time in a tier before stepping back to a better one.' }),
    enter_confirm_s: Type.Number({ default: 5, minimum: 0, maximum: 600, description: 'An entry threshold must hold this long (every sample) before the tier worsens; absorbs single noisy samples.' }),
    exit_confirm_s: Type.Number({ default: 10, minimum: 0, maximum: 600, description: 'All exit thresholds must hold this long before the tier improves by one step.' }),
    temperature_c: resource('the hottest thermal zone (°C, higher is worse)', [75, 72], [80, 77], [85, 82], 'CPU temperature thresholds in °C.'),
    memory_available_mb: resource('available memory (MB, lower is worse)', [400, 500], [250, 350], [120, 200], 'Available memory thresholds in MB.'),
    memory_available_pct: resource('available memory (% of total, lower is worse)', [10, 13], [6, 8], [3, 4], 'Available memory thresholds in percent of total.'),
    disk_free_mb: resource('free space on the data volume (MB, lower is worse)', [1024, 1280], [-1, -1], [256, 320], 'Free disk thresholds in MB (minimal is off by default: it spools audio to disk).'),
    rtf: resource('the pipeline real-time factor (higher is worse)', [1.0, 0.8], [1e9, 1e9], [1e9, 1e9], 'Real-time factor of the live pipeline (processing time / audio time).'),
    queue_s: resource('audio waiting in the live queue (s, higher is worse)', [20, 5], [60, 10], [1e9, 1e9], 'Live queue length in seconds of audio (falling behind real time).'),
    throttled_tier: StringEnum(['normal', 'reduced', 'minimal', 'paused'] as const, { default: 'reduced', description: 'Tier forced while the firmware reports active throttling (Raspberry Pi get_throttled bit 2 or 3).' }),
    inference_degraded_tier: StringEnum(['normal', 'reduced', 'minimal', 'paused'] as const, { default: 'minimal', description: 'Tier forced while the inference child is degraded (restart budget exhausted): ASR deferred, audio spooled.' }),
    actions: Type.Object(
      {
        normal: actions('normal', true, 'live', true, 4, 'normal'),
        reduced: actions('reduced', false, 'live', true, 2, 'reduced'),
        minimal: actions('deferred', false, 'deferred', true, 1, 'minimal'),
        paused: actions('deferred', false, 'deferred', false, 1, 'paused'),
      },
      { additionalProperties: false, default: {}, description: 'Actions of each tier, applied by the supervisor.' },
    ),
  },
  { additionalProperties: false, default: {}, description: 'Degradation tiers with hysteresis and dwell time.' },
);

const HIGHER_WORSE = ['temperature_c', 'rtf', 'queue_s'] as const;
const LOWER_WORSE = ['memory_available_mb', 'memory_available_pct', 'disk_free_mb'] as const;

/** Exit thresholds must sit on the healthy side of their entry thresholds. */
export const tiersCheck: SemanticCheck = (c) => {
  const issues: ConfigIssue[] = [];
  const t = c.tiers as unknown as Record<string, Record<string, { enter: number; exit: number } | undefined> | undefined>;
  for (const key of [...HIGHER_WORSE, ...LOWER_WORSE]) {
    for (const lvl of ['reduced', 'minimal', 'paused']) {
      const l = t[key]?.[lvl];
      if (!l) continue;
      const bad = (HIGHER_WORSE as readonly string[]).includes(key) ? l.exit > l.enter : l.exit < l.enter;
      if (bad) issues.push({ path: `tiers.${key}.${lvl}.exit`, message: `must be on the healthy side of enter (${l.enter})` });
    }
  }
  return issues;
};
