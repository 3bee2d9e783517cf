import { AsrStage } from '../asr/asr-stage.js';
import type { FrozenConfig } from '../config/schema.js';
import { ASR_ENGINES, type AsrEngineName } from '../config/sections/asr.js';
import { createDiarizationStage } from '../diarization/create-stage.js';
import { LatencyRepo } from '../storage/latency-repo.js';
import { UsageError } from '../util/errors.js';
import { WorkerHost } from '../inference/worker-host.js';
import { resolveBundle } from '../models/model-store.js';
import type { SegmentStage } from '../pipeline/types.js';
import type { ParleyDb } from '../storage/db.js';
import type { Logger, RootLogger } from '../util/logger.js';
import { Vad } from '../vad/vad.js';

export interface EngineChoices {
  /** ASR engine override (`--asr`), or 'none'. */
  asr?: string;
  /** Diarization engine override (`--diarize`), or 'none'. */
  diarize?: string;
  /** Known speaker count (`--speakers`). */
  speakers?: number;
  /** VAD model file to load instead of the manifest bundle (OTA active slot). */
  vadModelPath?: string;
}

export interface Engines {
  vadHost: WorkerHost;
  asrHost: WorkerHost;
  vad: Vad;
  stages: SegmentStage[];
  /** Load another VAD model file (OTA activation or rollback; between sessions). */
  reloadVad(modelPath: string): Promise<void>;
  /** Which engines run and why others do not (transcribe summary, status). */
  describe(): Record<string, unknown>;
  close(): Promise<void>;
}

function newHost(cfg: FrozenConfig, logger: Logger): WorkerHost {
  return new WorkerHost({
    requestTimeoutMs: cfg.inference.request_timeout_ms,
    loadTimeoutMs: cfg.inference.load_timeout_ms,
    maxRestarts: cfg.inference.max_restarts,
    restartWindowMs: cfg.inference.restart_window_s * 1000,
    threads: cfg.inference.intra_op_threads,
    logger,
  });
}

/**
 * Start the inference children and load every engine: the VAD runs in its own child so a
 * slow recognizer never delays speech detection; ASR and speaker models share a second one.
 * Startup is abortable between phases; on failure everything started so far is stopped.
 */
export async function buildEngines(cfg: FrozenConfig, logs: RootLogger, choices: EngineChoices, signal: AbortSignal, db?: ParleyDb): Promise<Engines> {
  const vadHost = newHost(cfg, logs.child('inference-vad'));
  const asrHost = newHost(cfg, logs.child('inference'));
  const stages: SegmentStage[] = [];
  const close = async (): Promise<void> => {
    for (const s of stages) await s.close?.().catch(() => undefined);
    await Promise.all([vadHost.stop(), asrHost.stop()]);
  };
  try {
    const bundle = await resolveBundle(cfg, cfg.vad.model);
    signal.throwIfAborted();
    await vadHost.start();
    signal.throwIfAborted();
    const vad = new Vad(vadHost, cfg.vad, logs.child('vad'));
    let vadModel = choices.vadModelPath;
    if (vadModel) await vad.init({ ...bundle, name: 'ota-active', files: overrideModel(bundle.files, vadModel), golden: undefined }, { acceptedBy: 'ota' });
    else await vad.init(bundle);
    signal.throwIfAborted();
    const diarizeEngine = choices.diarize;
    const asrEngine = choices.asr;
    const wantDiarize = diarizeEngine !== 'none';
    const wantAsr = asrEngine !== 'none';
    if (wantDiarize || wantAsr) await asrHost.start();
    const notes: Record<string, unknown> = {};
    if (wantDiarize) {
      const d = await createDiarizationStage(cfg.diarization, {
        host: asrHost, logger: logs.child('diarization'), db: db?.db, knownSpeakers: choices.speakers, engine: checkDiarizeEngine(diarizeEngine),
      });
      if (d) stages.push(d);
      else notes.diarization = { engine: 'none', reason: 'diarization.engine is none' };
    } else notes.diarization = { engine: 'none', reason: 'disabled for this run' };
    signal.throwIfAborted();
    if (wantAsr) {
      const engine = asrEngine === undefined ? undefined : checkAsrEngine(asrEngine);
      const a = await AsrStage.create({ cfg, host: asrHost, logger: logs.child('asr'), engine, latency: db ? new LatencyRepo(db.db) : null });
      if (a.describe().engine !== 'none') stages.push(a);
      else notes.asr = { engine: 'none', reason: 'asr.engine is none' };
    } else notes.asr = { engine: 'none', reason: 'disabled for this run' };
    signal.throwIfAborted();
    return {
      vadHost,
      asrHost,
      vad,
      stages,
      reloadVad: async (modelPath) => {
        // OTA slot models passed their bundle's golden acceptance before activation; the
        // manifest's golden expectation belongs to the shipped model only.
        if (modelPath === bundle.files[Object.keys(bundle.files).find((k) => k.endsWith('.onnx')) ?? '']) await vad.init(bundle);
        else await vad.init({ ...bundle, name: 'ota-active', files: overrideModel(bundle.files, modelPath), golden: undefined }, { acceptedBy: 'ota' });
        vadModel = modelPath;
      },
      describe: () => {
        const out: Record<string, unknown> = { vad: { engine: 'silero', model: vadModel ?? bundle.name }, ...notes };
        for (const s of stages) out[s.name] = s.describe();
        return out;
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

function checkAsrEngine(e: string): AsrEngineName {
  if (!(ASR_ENGINES as readonly string[]).includes(e)) throw new UsageError(`unknown ASR engine "${e}"; one of: ${ASR_ENGINES.join(', ')}`);
  return e as AsrEngineName;
}

function checkDiarizeEngine(e: string | undefined): 'builtin' | 'neural' | 'none' | undefined {
  if (e === undefined || e === 'builtin' || e === 'neural' || e === 'none') return e;
  throw new UsageError(`unknown diarization engine "${e}"; one of: builtin, neural, none`);
}

function overrideModel(files: Record<string, string>, path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(files)) out[k] = k.endsWith('.onnx') ? path : files[k];
  return out;
}
