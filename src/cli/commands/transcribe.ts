import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { resolveDeviceId } from '../../mqtt/topics.js';
import { join } from 'node:path';
import { createAudioSource } from '../../audio/capture.js';
import { SAMPLE_RATE_HZ, type AudioSource } from '../../audio/types.js';
import { readWavFile, toMono16k } from '../../audio/wav-reader.js';
import { loadConfig } from '../../config/load.js';
import type { FrozenConfig } from '../../config/schema.js';
import { MqttService } from '../../mqtt/mqtt-service.js';
import { ArraySource } from '../../pipeline/array-source.js';
import { CollectSink } from '../../pipeline/collect-sink.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { StoreSink } from '../../pipeline/store-sink.js';
import { openDatabase, type ParleyDb } from '../../storage/db.js';
import { buildEngines } from '../../supervisor/engines.js';
import { UsageError } from '../../util/errors.js';
import { stderrLogger } from '../../util/logger.js';
import { parseArgs } from '../args.js';
import type { Command } from '../command.js';
import { parleyVersion } from '../version.js';
import { formatSegmentsTable, segmentJson } from './transcribe-output.js';

const FLAGS = {
  config: 'string', db: 'string', json: 'boolean', 'no-asr': 'boolean', 'no-diarize': 'boolean',
  asr: 'string', diarize: 'string', speakers: 'string', mqtt: 'string', 'device-id': 'string', 'log-level': 'string',
} as const;

const command: Command = {
  name: 'transcribe',
  summary: 'run the pipeline over a WAV file or stdin and print the segments',
  help: [
    'usage: parley transcribe <FILE|-> [options]',
    '',
    'Runs the same pipeline as the service (Silero VAD -> diarization -> ASR) over a WAV file,',
    'or over raw 16 kHz s16le mono audio on stdin with `-`, and prints the final segments.',
    '',
    'options:',
    '  --config F          config file (default: built-in defaults)',
    '  --db PATH           also store the session and segments in this SQLite database',
    '  --json              one JSON object per line: segments, then a summary',
    '  --no-asr            do not run speech recognition (text is null)',
    '  --no-diarize        do not label speakers (speaker is null)',
    '  --asr ENGINE        pocketsphinx | zipformer-streaming | transducer-offline | whisper | moonshine | none',
    '  --diarize ENGINE    builtin | neural | none',
    '  --speakers N        known number of speakers (offline re-clustering)',
    '  --mqtt URL          publish event/segment messages to this broker (as the service would)',
    '  --device-id ID      device id for MQTT topics (default: config device.id or the hostname)',
    '  --log-level LEVEL   log level on stderr (default warn)',
    '',
    'Exit status: 0 on success; 1 for unreadable/malformed input or a missing model; 2 for usage errors.',
  ].join('\n'),
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, FLAGS);
    if (positionals.length !== 1) throw new UsageError('transcribe needs exactly one input: a WAV file or - for stdin');
    const input = positionals[0];
    const speakers = flags.speakers !== undefined ? parsePositiveInt(String(flags.speakers), '--speakers') : undefined;
    const cfg: FrozenConfig = loadConfig(flags.config ? String(flags.config) : undefined).config;
    const logs = stderrLogger(String(flags['log-level'] ?? 'warn'));
    const t0 = performance.now();

    // Decode the whole file before starting any engine: a bad file fails in milliseconds.
    let source: AudioSource;
    let durationS: number | undefined;
    if (input === '-') {
      source = createAudioSource({ ...cfg.audio, source: 'stdin' }, { logger: logs.child('audio'), stdin: process.stdin });
    } else {
      const samples = toMono16k(await readWavFile(input));
      durationS = samples.length / SAMPLE_RATE_HZ;
      source = new ArraySource(samples);
    }

    const asrChoice = flags['no-asr'] ? 'none' : (flags.asr as string | undefined);
    const diarizeChoice = flags['no-diarize'] ? 'none' : (flags.diarize as string | undefined);
    const deviceId = flags['device-id'] ? String(flags['device-id']) : resolveDeviceId(cfg.device.id, hostname);
    const abort = new AbortController();
    const onSignal = (): void => abort.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);

    let db: ParleyDb | undefined;
    let tmpDir: string | undefined;
    let mqtt: MqttService | undefined;
    const engines = await buildEngines(cfg, logs, { asr: asrChoice, diarize: diarizeChoice, speakers }, abort.signal);
    try {
      const dbPath = flags.db ? String(flags.db) : flags.mqtt ? join((tmpDir = mkdtempSync(join(tmpdir(), 'parley-tx-'))), 'outbox.db') : undefined;
      if (dbPath) db = openDatabase(cfg.storage, { logger: logs.child('storage'), path: dbPath });
      if (db && flags.mqtt) {
        mqtt = new MqttService({
          cfg: { ...cfg.mqtt, enabled: true, url: String(flags.mqtt) }, deviceId, db, logger: logs.child('mqtt'),
          status: () => ({ state: 'transcribing', version: parleyVersion() }), commands: {}, version: parleyVersion(),
        });
        mqtt.start();
      }
      const wallStartMs = Date.now();
      const session = db?.sessions.start({ source: input === '-' ? 'stdin' : `file:${input}`, deviceId, wallStartMs });
      // Batch mode stores each segment once, in its final form (after session-end
      // re-clustering), so consumers get exactly one event/segment per printed line.
      const sink = new CollectSink();
      const showProgress = process.stderr.isTTY && !flags.json;
      let lastProgress = 0;
      const pipeline = new Pipeline({
        vad: engines.vad, stages: engines.stages, sink, logger: logs.child('pipeline'), tier: () => 'normal',
        sessionId: session?.sessionId ?? 'transcribe',
        onProgress: (n) => {
          if (!showProgress || performance.now() - lastProgress < 1000) return;
          lastProgress = performance.now();
          process.stderr.write(`\rtranscribe: ${(n / SAMPLE_RATE_HZ).toFixed(1)}${durationS ? `/${durationS.toFixed(1)}` : ''} s of audio`);
        },
      });
      const stats = await pipeline.run(source, abort.signal);
      await pipeline.endSession(abort.signal);
      if (showProgress) process.stderr.write('\n');
      if (db && session) {
        const store = new StoreSink({ db, sessionId: session.sessionId, deviceId, logger: logs.child('storage'), tier: () => 'normal', wallStartMs, onStored: () => mqtt?.notifyOutbox() });
        for (const seg of sink.sorted()) store.store(seg);
        db.sessions.end(session.sessionId, Date.now());
      }
      if (mqtt) {
        const { pending } = await mqtt.drain(30000);
        if (pending > 0) process.stderr.write(`parley: ${pending} MQTT events not yet acknowledged by the broker (kept in the outbox)\n`);
      }
      const segs = sink.sorted();
      const processingS = (performance.now() - t0) / 1000;
      const audioS = durationS ?? stats.samplesIn / SAMPLE_RATE_HZ;
      if (flags.json) {
        for (const s of segs) process.stdout.write(`${JSON.stringify(segmentJson(s))}\n`);
        process.stdout.write(`${JSON.stringify({
          type: 'summary', segments: segs.length, audio_s: round3(audioS), processing_s: round3(processingS),
          rtf: audioS > 0 ? round3(processingS / audioS) : null, engines: engines.describe(),
          session_id: session?.sessionId ?? null, stage_errors: stats.stageErrors,
        })}\n`);
      } else {
        process.stdout.write(formatSegmentsTable(segs));
        process.stdout.write(`\n${segs.length} segments, ${audioS.toFixed(1)} s audio in ${processingS.toFixed(1)} s (RTF ${(processingS / Math.max(audioS, 1e-9)).toFixed(3)})\n`);
        for (const [k, v] of Object.entries(engines.describe())) process.stdout.write(`  ${k}: ${JSON.stringify(v)}\n`);
      }
      return abort.signal.aborted ? 130 : 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await mqtt?.stop();
      db?.close();
      await engines.close();
      if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
    }
  },
};
export default command;

function parsePositiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} needs a positive integer, got "${v}"`);
  return n;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
