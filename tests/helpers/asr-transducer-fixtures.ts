import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './asr-transducer-audio.js';

export const TRANSDUCER_FIXTURES = path.join(REPO_ROOT, 'tests', 'fixtures', 'asr', 'transducer');

export type Precision = 'fp32' | 'int8';

export function fixtureFiles(family: 'zipformer-streaming' | 'zipformer-v1-streaming' | 'zipformer-offline' | 'parakeet-tdt' | 'nemo-rnnt', precision: Precision): { encoder: string; decoder: string; joiner: string; tokens: string } {
  const d = path.join(TRANSDUCER_FIXTURES, family);
  const sfx = precision === 'int8' ? '.int8.onnx' : '.onnx';
  // Like several upstream int8 bundles, a fixture may pair int8 encoder/joiner with the fp32 decoder.
  const decoder = existsSync(path.join(d, `decoder${sfx}`)) ? path.join(d, `decoder${sfx}`) : path.join(d, 'decoder.onnx');
  return { encoder: path.join(d, `encoder${sfx}`), decoder, joiner: path.join(d, `joiner${sfx}`), tokens: path.join(d, 'tokens.txt') };
}

export interface RefSeq { tokens: number[]; frames: number[]; durations?: number[] }
export type Reference = Record<string, unknown> & {
  numSamples: number;
  fp32: Record<string, RefSeq> & { encoderFrames: number };
  int8: Record<string, RefSeq> & { encoderFrames: number };
};

export function reference(family: string): Reference {
  return JSON.parse(readFileSync(path.join(TRANSDUCER_FIXTURES, family, 'reference.json'), 'utf8')) as Reference;
}
