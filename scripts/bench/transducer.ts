/**
 * Transducer benchmarks: Kaldi fbank cost per second of audio, and the real-time factor of each
 * runner on the tiny fixtures (fp32/int8). Fixture RTFs measure the runner's own overhead (search,
 * IPC-free ORT calls, fbank) — not the accuracy or speed of a real Zipformer/Parakeet model.
 * Run alone: node --import tsx scripts/bench/transducer.ts
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { ParakeetTdtModel } from '../../src/asr/parakeet-tdt-model.js';
import { readTokens } from '../../src/asr/tokens.js';
import { defaultEndpointRules } from '../../src/asr/transducer-endpoint.js';
import { ZipformerOfflineModel } from '../../src/asr/zipformer-offline-model.js';
import { ZipformerStreamingModel } from '../../src/asr/zipformer-streaming-model.js';
import { ZipformerStream } from '../../src/asr/zipformer-streaming-stream.js';
import { kaldiFbank, OnlineFbank, SHERPA_TRANSDUCER_FBANK } from '../../src/frontend/kaldi-fbank.js';
import { jfkSamples } from '../../tests/helpers/asr-transducer-audio.js';
import { fixtureFiles, type Precision } from '../../tests/helpers/asr-transducer-fixtures.js';

export interface BenchRow { area: string; metric: string; value: number; unit: string; target?: string; note?: string }

const AREA = 'asr-transducer';

async function timeIt(fn: () => Promise<unknown> | unknown, reps: number): Promise<number> {
  await fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await fn();
  return (performance.now() - t0) / reps;
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const jfk = jfkSamples(11);
  const seconds = jfk.length / 16000;
  const oneShot = await timeIt(() => kaldiFbank(jfk, SHERPA_TRANSDUCER_FBANK), 5);
  rows.push({ area: AREA, metric: 'fbank_ms_per_audio_s', value: oneShot / seconds, unit: 'ms/s', target: '< 10 (1% of one core)', note: '80-bin Kaldi fbank, one-shot, jfk 11 s' });
  const online = await timeIt(() => {
    const f = new OnlineFbank(SHERPA_TRANSDUCER_FBANK);
    for (let p = 0; p < jfk.length; p += 512) f.accept(jfk.subarray(p, p + 512));
    f.finish();
  }, 5);
  rows.push({ area: AREA, metric: 'online_fbank_ms_per_audio_s', value: online / seconds, unit: 'ms/s', note: 'OnlineFbank fed 512-sample frames' });

  const audio = jfkSamples(4);
  const audioS = audio.length / 16000;
  for (const precision of ['fp32', 'int8'] as Precision[]) {
    const sf = fixtureFiles('zipformer-streaming', precision);
    const sm = await ZipformerStreamingModel.load(sf, 1);
    const table = readTokens(sf.tokens);
    for (const method of ['greedy_search', 'modified_beam_search'] as const) {
      const ms = await timeIt(async () => {
        const s = new ZipformerStream(sm, table, { decodingMethod: method, maxActivePaths: 4, tailPaddingSamples: 10560, endpoint: { enabled: true, rules: defaultEndpointRules() } });
        for (let p = 0; p < audio.length; p += 512) await s.accept(audio.subarray(p, p + 512));
        await s.finish();
      }, 3);
      rows.push({ area: AREA, metric: `rtf_zipformer_streaming_${method}_${precision}`, value: ms / 1000 / audioS, unit: 'x', note: 'tiny fixture model, 1 thread, 512-sample chunks' });
    }
    await sm.release();
    const om = await ZipformerOfflineModel.load(fixtureFiles('zipformer-offline', precision), 1);
    for (const method of ['greedy_search', 'modified_beam_search'] as const) {
      const ms = await timeIt(() => om.recognize(audio, method, 4), 3);
      rows.push({ area: AREA, metric: `rtf_zipformer_offline_${method}_${precision}`, value: ms / 1000 / audioS, unit: 'x', note: 'tiny fixture model, 1 thread' });
    }
    await om.release();
    const tm = await ParakeetTdtModel.load(fixtureFiles('parakeet-tdt', precision), 1);
    const ms = await timeIt(() => tm.recognize(audio), 3);
    rows.push({ area: AREA, metric: `rtf_parakeet_tdt_${precision}`, value: ms / 1000 / audioS, unit: 'x', note: 'tiny fixture model, 1 thread' });
    const bms = await timeIt(() => tm.recognize(audio, { method: 'modified_beam_search', maxActivePaths: 4 }), 3);
    rows.push({ area: AREA, metric: `rtf_parakeet_tdt_beam4_${precision}`, value: bms / 1000 / audioS, unit: 'x', note: 'tiny fixture model, 1 thread' });
    await tm.release();
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await run()) console.log(`${r.metric.padEnd(48)} ${r.value.toFixed(4)} ${r.unit}${r.note ? `  (${r.note})` : ''}`);
}
