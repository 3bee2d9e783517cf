import type { WorkerHost } from '../inference/worker-host.js';
import { AppError } from '../util/errors.js';
import type { OfflineRecognizer, PartialResult, RecognitionResult, RecognizerStream, StreamingRecognizer } from './recognizer.js';
import type { TransducerWireResult } from './transducer-engine.js';

function toResult(r: TransducerWireResult | null, engine: string, model: string): RecognitionResult | null {
  if (!r) return null;
  return { text: r.text, confidence: r.confidence, words: r.words, tokens: r.tokens, engine, model };
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AppError('ABORTED', 'recognition aborted');
}

/** Supervisor side of an offline transducer ('transducer-offline': Zipformer or Parakeet TDT). */
export class TransducerOfflineRecognizer implements OfflineRecognizer {
  readonly engine = 'transducer-offline';

  constructor(private readonly host: WorkerHost, private readonly engineId: string, readonly model: string) {}

  async recognize(samples: Float32Array, signal?: AbortSignal): Promise<RecognitionResult | null> {
    checkAbort(signal);
    const r = await this.host.call<TransducerWireResult | null>(this.engineId, 'recognize', [samples]);
    checkAbort(signal);
    return toResult(r, this.engine, this.model);
  }

  async close(): Promise<void> {
    await this.host.unload(this.engineId);
  }
}

class TransducerStream implements RecognizerStream {
  private closed = false;

  constructor(private readonly host: WorkerHost, private readonly engineId: string, private readonly id: number, private readonly model: string) {}

  async accept(samples: Float32Array): Promise<PartialResult> {
    const p = await this.host.call<{ text: string; isFinal: boolean }>(this.engineId, 'accept', [this.id, samples]);
    return { text: p.text, isFinal: p.isFinal };
  }

  async finish(): Promise<RecognitionResult | null> {
    if (this.closed) throw new AppError('ASR_ENGINE', 'stream already finished');
    try {
      const r = await this.host.call<TransducerWireResult | null>(this.engineId, 'finish', [this.id]);
      return toResult(r, 'zipformer-streaming', this.model);
    } finally {
      this.closed = true;
      await this.host.call(this.engineId, 'closeStream', [this.id]).catch(() => undefined);
    }
  }

  async reset(): Promise<void> {
    await this.host.call(this.engineId, 'reset', [this.id]);
  }
}

/** Supervisor side of the streaming Zipformer transducer. */
export class TransducerStreamingRecognizer implements StreamingRecognizer {
  readonly engine = 'zipformer-streaming';

  constructor(private readonly host: WorkerHost, private readonly engineId: string, readonly model: string) {}

  async createStream(): Promise<RecognizerStream> {
    const id = await this.host.call<number>(this.engineId, 'createStream', []);
    return new TransducerStream(this.host, this.engineId, id, this.model);
  }

  async close(): Promise<void> {
    await this.host.unload(this.engineId);
  }
}
