import { readModelText } from '../models/read-model-text.js';
import { ModelLoadError } from '../util/errors.js';

/**
 * sherpa-onnx `tokens.txt`: one `<symbol> <id>` per line. The id is the last whitespace-separated
 * field, so symbols that contain spaces survive; ids must be unique non-negative integers.
 */
export class SymbolTable {
  constructor(private readonly symbols: readonly string[], private readonly ids: ReadonlyMap<string, number>) {}

  get size(): number {
    return this.symbols.length;
  }

  symbol(id: number): string {
    const s = this.symbols[id];
    if (s === undefined) throw new RangeError(`token id ${id} not in tokens.txt (size ${this.symbols.length})`);
    return s;
  }

  id(symbol: string): number | undefined {
    return this.ids.get(symbol);
  }
}

export function parseTokens(text: string, file = 'tokens.txt'): SymbolTable {
  const symbols: string[] = [];
  const ids = new Map<string, number>();
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].replace(/\r$/, '');
    if (line.trim() === '') continue;
    const m = /^(.*)\s+(\S+)$/.exec(line);
    if (!m) throw new ModelLoadError(file, `line ${n + 1}: expected "<symbol> <id>"`);
    const sym = m[1];
    const id = Number(m[2]);
    if (!Number.isInteger(id) || id < 0 || !/^\d+$/.test(m[2])) throw new ModelLoadError(file, `line ${n + 1}: bad token id "${m[2]}"`);
    if (symbols[id] !== undefined) throw new ModelLoadError(file, `line ${n + 1}: duplicate token id ${id}`);
    if (sym === '') throw new ModelLoadError(file, `line ${n + 1}: empty symbol`);
    symbols[id] = sym;
    ids.set(sym, id);
  }
  if (symbols.length === 0) throw new ModelLoadError(file, 'no tokens');
  for (let i = 0; i < symbols.length; i++) if (symbols[i] === undefined) throw new ModelLoadError(file, `token id ${i} missing`);
  return new SymbolTable(symbols, ids);
}

export function readTokens(file: string): SymbolTable {
  return parseTokens(readModelText(file), file);
}
