/**
 * Every MQTT payload parley publishes or accepts (zigbee2mqtt `types/api.ts` style).
 * Topics are `<base_topic>/<device_id>/<suffix>`; see topics.ts.
 *
 * Stored events (`event/<kind>`) are `EventEnvelope & <kind data>`: they carry a ULID
 * `event_id`, a per-device `seq` that only increases (never reused, survives restarts),
 * `ts_wall` (ISO 8601) and `ts_mono_ms` (CLOCK_MONOTONIC ms) with the `boot_id` that
 * scopes it. A re-sent event (reconnect, replay, crash) has the same event_id and seq.
 */

export interface EventEnvelope {
  event_id: string;
  seq: number;
  /** Event kind; the topic is `event/<kind>`. */
  kind: string;
  /** Identity of the database holding the seq counter; a new stream_id means seq restarted at 1. */
  stream_id: string;
  ts_wall: string;
  ts_mono_ms: number;
  boot_id: string;
}

export interface WordPayload {
  word: string;
  start_ms: number;
  end_ms: number;
  confidence?: number;
}

/** `event/segment`: a final segment; a revision carries the same segment_id and a higher rev. */
export interface SegmentEventData {
  session_id: string;
  segment_id: string;
  rev: number;
  device_id: string;
  /** ms from session start (16 kHz sample clock). */
  start_ms: number;
  end_ms: number;
  start_sample: number;
  end_sample: number;
  /** Wall-clock start of the segment, ISO 8601. */
  wall_start: string;
  speaker: string | null;
  speaker_confidence: number | null;
  text: string | null;
  confidence: number | null;
  words: WordPayload[] | null;
  asr_engine: string | null;
  asr_model: string | null;
  tier: string;
}

/** `event/session`. */
export interface SessionEventData {
  type: 'started' | 'ended';
  session_id: string;
  device_id: string;
  source: string;
  wall_start: string;
  wall_end?: string;
  duration_ms?: number;
}

/** `event/speech` (supplied by the pipeline through EventsRepo.append('speech', ...)). */
export interface SpeechEventData {
  type: 'start' | 'end';
  session_id?: string;
  /** Sample index (16 kHz) from session start. */
  sample?: number;
  [k: string]: unknown;
}

export type StoredEvent<T = Record<string, unknown>> = EventEnvelope & T;

/** `event/partial`: live text, QoS 0, never stored, no seq. */
export interface PartialEventData {
  session_id?: string;
  text: string;
  [k: string]: unknown;
}

/** `availability` (retained, `offline` is the last will). */
export type Availability = 'online' | 'offline';

/** `status` (retained). The supervisor supplies the body; the MQTT service adds `mqtt`. */
export interface StatusPayload {
  state?: string;
  capture?: string;
  muted?: boolean;
  recording?: boolean;
  speaking?: boolean;
  tier?: string;
  session_id?: string | null;
  models?: Record<string, unknown>;
  backlog?: number;
  uptime_s?: number;
  version?: string;
  cpu_temp_c?: number | null;
  last_transcript?: string | null;
  last_speaker?: string | null;
  mqtt?: { pending: number; dropped: number; last_seq: number };
  [k: string]: unknown;
}

/** Request on `cmd/<name>`; `id` is echoed in the response. */
export interface CommandRequest {
  id?: string | number;
  [k: string]: unknown;
}

export interface CommandErrorBody {
  code: string;
  message: string;
}

/** Response on `cmd/<name>/response`. */
export interface CommandResponse {
  id: string | number | null;
  ok: boolean;
  result?: unknown;
  error?: CommandErrorBody;
}

/** `cmd/replay` payload. */
export interface ReplayRequest extends CommandRequest {
  from_seq: number;
  to_seq?: number;
}
