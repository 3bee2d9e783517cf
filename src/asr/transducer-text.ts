import type { Word } from '../pipeline/types.js';
import type { SymbolTable } from './tokens.js';

export interface TokenText {
  text: string;
  tokens: string[];
  words: Word[];
  /** Mean token probability when the search provides one, else null. */
  confidence: number | null;
}

const WORD_START = '\u2581'; // SentencePiece "▁"

/**
 * Token ids → text and word timestamps, sherpa-style: symbols are concatenated, "▁" becomes a
 * space, control symbols like <unk>/<blk>/<sos/eos> are dropped. A word starts at its first
 * token's frame and ends where the next word starts (or one frame after its last token).
 */
export function tokensToText(ids: readonly number[], frames: readonly number[], probs: readonly number[], table: SymbolTable, frameShiftMs: number): TokenText {
  const syms: string[] = [];
  const words: Word[] = [];
  let cur: { text: string; startFrame: number; lastFrame: number; probs: number[] } | undefined;
  const flush = (nextStartFrame?: number): void => {
    if (!cur || cur.text === '') return;
    const endFrame = nextStartFrame !== undefined ? Math.max(nextStartFrame, cur.lastFrame + 1) : cur.lastFrame + 1;
    const w: Word = { word: cur.text, startMs: cur.startFrame * frameShiftMs, endMs: endFrame * frameShiftMs };
    if (cur.probs.length > 0) w.confidence = cur.probs.reduce((a, b) => a + b, 0) / cur.probs.length;
    words.push(w);
  };
  for (let i = 0; i < ids.length; i++) {
    const sym = table.symbol(ids[i]);
    if (/^<.*>$/.test(sym)) continue;
    syms.push(sym);
    const startsWord = sym.startsWith(WORD_START) || sym.startsWith(' ') || !cur;
    const piece = sym.replace(/^[\u2581 ]+/, '').replaceAll(WORD_START, ' ');
    if (startsWord) {
      flush(frames[i]);
      cur = { text: piece, startFrame: frames[i], lastFrame: frames[i], probs: [] };
    } else if (cur) {
      cur.text += piece;
      cur.lastFrame = frames[i];
    }
    if (cur && probs[i] !== undefined) cur.probs.push(probs[i]);
  }
  flush();
  const kept = words.filter((w) => w.word !== '');
  const confidence = probs.length > 0 ? probs.reduce((a, b) => a + b, 0) / probs.length : null;
  return { text: kept.map((w) => w.word).join(' '), tokens: syms, words: kept, confidence };
}
