/**
 * Typed view of the metadata the sherpa-onnx Whisper export writes into the encoder
 * (`scripts/whisper/export-onnx.py`): dimensions, special token ids, the sot sequence and
 * the language tokens of multilingual models. Missing or malformed keys → ModelLoadError.
 */
import { ModelLoadError } from '../util/errors.js';

export interface WhisperMeta {
  nMels: number;
  nTextLayer: number;
  nTextCtx: number;
  nTextState: number;
  nVocab: number;
  sot: number;
  sotIndex: number;
  eot: number;
  translate: number;
  transcribe: number;
  noTimestamps: number;
  noSpeech: number;
  isMultilingual: boolean;
  sotSequence: number[];
  /** language code → token id (empty for English-only models). */
  languages: Map<string, number>;
  modelType: string;
}

export function parseWhisperMeta(meta: Record<string, string>, file: string): WhisperMeta {
  const int = (key: string, dflt?: number): number => {
    const raw = meta[key];
    if (raw === undefined) {
      if (dflt !== undefined) return dflt;
      throw new ModelLoadError(file, `metadata key ${key} is missing (not a sherpa-onnx Whisper encoder?)`);
    }
    if (!/^-?\d+$/.test(raw.trim())) throw new ModelLoadError(file, `metadata ${key}=${JSON.stringify(raw)} is not an integer`);
    return Number(raw);
  };
  const ints = (key: string, required: boolean): number[] => {
    const raw = meta[key];
    if (raw === undefined || raw.trim() === '') {
      if (required) throw new ModelLoadError(file, `metadata key ${key} is missing`);
      return [];
    }
    const parts = raw.split(',').map((s) => s.trim());
    if (!parts.every((p) => /^\d+$/.test(p))) throw new ModelLoadError(file, `metadata ${key} is not a list of integers`);
    return parts.map(Number);
  };
  const isMultilingual = int('is_multilingual') === 1;
  const tokens = isMultilingual ? ints('all_language_tokens', true) : [];
  const codes = isMultilingual ? (meta.all_language_codes ?? '').split(',').map((s) => s.trim()).filter(Boolean) : [];
  if (tokens.length !== codes.length) throw new ModelLoadError(file, `all_language_tokens (${tokens.length}) and all_language_codes (${codes.length}) differ in length`);
  const m: WhisperMeta = {
    nMels: int('n_mels', 80), nTextLayer: int('n_text_layer'), nTextCtx: int('n_text_ctx'), nTextState: int('n_text_state'),
    nVocab: int('n_vocab'), sot: int('sot'), sotIndex: int('sot_index', 0), eot: int('eot'), translate: int('translate'),
    transcribe: int('transcribe'), noTimestamps: int('no_timestamps'), noSpeech: int('no_speech'), isMultilingual,
    sotSequence: ints('sot_sequence', true), languages: new Map(codes.map((c, i) => [c, tokens[i]!])),
    modelType: meta.model_type ?? 'whisper',
  };
  if (m.nMels !== 80 && m.nMels !== 128) throw new ModelLoadError(file, `n_mels ${m.nMels} is not 80 or 128`);
  if (m.nTextLayer < 1 || m.nTextCtx < 4 || m.nTextState < 1) throw new ModelLoadError(file, 'implausible decoder dimensions in metadata');
  if (isMultilingual && m.sotSequence.length < 3) throw new ModelLoadError(file, 'multilingual sot_sequence must hold sot, language and task');
  return m;
}
