import { AppError } from '../util/errors.js';

/** One speaker turn: times in seconds, as in RTTM. */
export interface Turn {
  file: string;
  startS: number;
  durationS: number;
  speaker: string;
}

/** A malformed RTTM line: names the line number and what is wrong. */
export class RttmFormatError extends AppError {
  readonly line: number;
  constructor(line: number, message: string) {
    super('DIARIZATION', `RTTM line ${line}: ${message}`, {
      hint: 'each SPEAKER line needs: SPEAKER <file> <chnl> <tbeg> <tdur> <ortho> <stype> <name> [<conf> [<slat>]]',
    });
    this.line = line;
  }
}
RttmFormatError.prototype.name = 'RttmFormatError';

/**
 * Parse RTTM text. Only SPEAKER records are returned; other record types
 * (SPKR-INFO, LEXEME, ...) and `;;` comments are skipped. Times must be finite,
 * start >= 0 and duration >= 0.
 */
export function parseRttm(text: string): Turn[] {
  const turns: Turn[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '' || raw.startsWith(';;')) continue;
    const f = raw.split(/\s+/);
    if (f[0] !== 'SPEAKER') {
      if (/^[A-Z][A-Z/-]*$/.test(f[0])) continue;
      throw new RttmFormatError(i + 1, `unknown record type '${f[0].slice(0, 20)}'`);
    }
    if (f.length < 8) throw new RttmFormatError(i + 1, `expected at least 8 fields, got ${f.length}`);
    const startS = Number(f[3]);
    const durationS = Number(f[4]);
    if (!/^[-+0-9.eE]+$/.test(f[3]) || !Number.isFinite(startS) || startS < 0) {
      throw new RttmFormatError(i + 1, `bad start time '${f[3].slice(0, 20)}'`);
    }
    if (!/^[-+0-9.eE]+$/.test(f[4]) || !Number.isFinite(durationS) || durationS < 0) {
      throw new RttmFormatError(i + 1, `bad duration '${f[4].slice(0, 20)}'`);
    }
    const speaker = f[7];
    if (speaker === '<NA>') throw new RttmFormatError(i + 1, 'speaker name is <NA>');
    turns.push({ file: f[1], startS, durationS, speaker });
  }
  return turns;
}

/** Write turns as RTTM (millisecond precision), one SPEAKER line per turn. */
export function writeRttm(turns: readonly Turn[]): string {
  return turns
    .map((t) => {
      const name = t.speaker.replace(/\s+/g, '_') || 'unknown';
      const file = t.file.replace(/\s+/g, '_') || 'audio';
      return `SPEAKER ${file} 1 ${t.startS.toFixed(3)} ${t.durationS.toFixed(3)} <NA> <NA> ${name} <NA> <NA>\n`;
    })
    .join('');
}
