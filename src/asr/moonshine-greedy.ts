/**
 * The greedy loop both Moonshine layouts share (sherpa-onnx
 * offline-moonshine-greedy-search-decoder.cc and its v2 twin): start from the logits after
 * sos, emit argmax tokens until eos or `maxLen` tokens. sherpa-onnx keeps a decode of exactly
 * `maxLen` tokens; here the logits after the last allowed token are looked at as well, so such a
 * decode counts as ended when they say eos and as a runaway (`hitTokenCap`) only otherwise.
 */
import { argmax, logSoftmaxAt } from './onnx-session.js';

export const MOONSHINE_SOS = 1;
export const MOONSHINE_EOS = 2;
/** Audio samples per encoder frame (Moonshine's conv strides 64·3·2). */
export const MOONSHINE_SAMPLES_PER_FRAME = 384;

export interface MoonshineDecodeResult {
  tokens: number[];
  text: string;
  avgLogProb: number;
  /** Stopped at max_len with no eos even after the last allowed token. */
  hitTokenCap: boolean;
  encoderFrames: number;
}

export async function moonshineGreedy(
  first: Float32Array, maxLen: number, next: (token: number) => Promise<Float32Array>,
): Promise<{ tokens: number[]; logProb: number; hitTokenCap: boolean }> {
  const tokens: number[] = [];
  let logProb = 0;
  let row = first;
  for (let i = 0; i < maxLen; i++) {
    const tok = argmax(row);
    if (tok === MOONSHINE_EOS) return { tokens, logProb, hitTokenCap: false };
    tokens.push(tok);
    logProb += logSoftmaxAt(row, 0, row.length, tok);
    row = await next(tok);
  }
  return { tokens, logProb, hitTokenCap: maxLen > 0 && argmax(row) !== MOONSHINE_EOS };
}

/** Token cap of one decode: encoder frames → seconds → tokens per second (floored, as sherpa-onnx). */
export function moonshineMaxLen(encoderFrames: number, tokensPerSecond: number): number {
  return Math.floor(((encoderFrames * MOONSHINE_SAMPLES_PER_FRAME) / 16000) * tokensPerSecond);
}
