import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../string-enum.js';
import { TransducerSection } from './asr-transducer.js';

export const ASR_ENGINES = ['none', 'pocketsphinx', 'zipformer-streaming', 'transducer-offline', 'whisper', 'moonshine'] as const;
export type AsrEngineName = (typeof ASR_ENGINES)[number];

const EngineChoice = StringEnum(ASR_ENGINES, { description: 'Engine for this tier (unset: the normal-tier asr.engine).' });

const TierOverride = Type.Object(
  {
    engine: Type.Optional(EngineChoice),
    model: Type.Optional(Type.String({ description: 'Model bundle for this tier (unset: asr.model when the engine is the same, else the engine default).' })),
  },
  { additionalProperties: false, default: {}, description: 'Engine/model override for one degradation tier.' },
);

/** Hallucination and noise guards applied to every engine's result (src/asr/guards.ts). */
export const GuardsSection = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Apply the guards. Turning them off lets silence/noise hallucinations reach storage.' }),
    min_rms_dbfs: Type.Number({
      default: -50, minimum: -120, maximum: 0,
      description: 'Segments whose RMS level is below this (dBFS) are treated as silence and never decoded.',
    }),
    max_spectral_flatness: Type.Number({
      default: 0.25, minimum: 0, maximum: 1,
      description: 'Segments whose median spectral flatness (Wiener entropy over the louder half of 32 ms frames; speech measured 0.0001-0.08, pink noise 0.3, white noise 0.56) exceeds this are treated as noise and never decoded.',
    }),
    compression_ratio_threshold: Type.Number({
      default: 2.4, minimum: 1, maximum: 100,
      description: 'Text whose zlib compression ratio (bytes / deflated bytes) exceeds this is a repetition loop and is dropped.',
    }),
    max_tokens_per_second: Type.Number({
      default: 8, minimum: 1, maximum: 100,
      description: 'Text with more words per second of audio than this is a hallucination and is dropped.',
    }),
    max_repeated_ngram: Type.Integer({
      default: 4, minimum: 2, maximum: 100,
      description: 'Drop text in which the same word n-gram (n = 1..4) repeats back-to-back more than this many times.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Guards against text from silence, noise and decoder loops.' },
);

export const PocketsphinxSection = Type.Object(
  {
    mode: StringEnum(['dictation', 'grammar', 'keyphrase'] as const, {
      default: 'dictation',
      description: 'dictation: n-gram language model; grammar: a JSGF grammar file; keyphrase: spot the phrases in keyphrases.',
    }),
    binary: Type.String({ default: 'pocketsphinx_continuous', description: 'PocketSphinx command-line decoder (Debian package pocketsphinx).' }),
    model_dir: Type.String({ default: '/usr/share/pocketsphinx/model/en-us/en-us', description: 'Acoustic model directory (-hmm).' }),
    lm_file: Type.String({ default: '/usr/share/pocketsphinx/model/en-us/en-us.lm.bin', description: 'Language model for dictation (-lm).' }),
    dict_file: Type.String({ default: '/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict', description: 'Pronunciation dictionary (-dict).' }),
    grammar_file: Type.String({ default: '', description: 'JSGF grammar file for mode grammar.' }),
    keyphrases: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: 'Phrases to spot in mode keyphrase (dictionary words, lower case), e.g. ["turn on the light"].',
    }),
    keyphrase_threshold: Type.Number({
      default: 1e-20, exclusiveMinimum: 0, maximum: 1,
      description: 'Detection threshold per keyphrase (smaller: more detections and more false alarms).',
    }),
    lm_weight: Type.Number({
      default: 5, minimum: 0.5, maximum: 30,
      description: 'Language model weight (-lw). 5 measured best on jfk + LibriVox here (the decoder default is 6.5).',
    }),
    timeout_ms: Type.Integer({
      default: 30000, minimum: 1000, maximum: 600000,
      description: 'Kill the decoder when one segment takes longer than this plus 3x the segment duration.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'PocketSphinx (model-free of ONNX; lowest tier and grammar/keyword commands).' },
);

export const WhisperSection = Type.Object(
  {
    language: Type.String({ default: 'auto', pattern: '^(auto|[a-z]{2,3})$', description: 'Language code (en, de, ...) or auto for detection. English-only (.en) models ignore it.' }),
    task: StringEnum(['transcribe', 'translate'] as const, { default: 'transcribe', description: 'transcribe, or translate to English.' }),
    no_speech_threshold: Type.Number({
      default: 0.6, minimum: 0, maximum: 1,
      description: 'Drop the segment when the no-speech probability at the first decoding step exceeds this.',
    }),
    compression_ratio_threshold: Type.Number({ default: 2.4, minimum: 1, maximum: 100, description: 'Whisper-specific repetition limit (zlib ratio of the decoded text), as openai/whisper.' }),
    tail_padding_frames: Type.Integer({ default: 1000, minimum: 0, maximum: 3000, description: 'Zero feature frames (10 ms each) appended after the audio so the model can emit end-of-text (sherpa-onnx default 1000).' }),
    max_tokens_per_second: Type.Number({ default: 6, minimum: 1, maximum: 100, description: 'Decoding stops after this many tokens per second of audio (sherpa-onnx uses 6); a decode that reaches the cap without end-of-text is dropped as a runaway.' }),
    max_new_tokens: Type.Integer({ default: 224, minimum: 1, maximum: 448, description: 'Hard cap on tokens decoded per segment (the text context is 448).' }),
  },
  { additionalProperties: false, default: {}, description: 'Whisper (sherpa-onnx export) options.' },
);

export const MoonshineSection = Type.Object(
  {
    max_tokens_per_second: Type.Number({ default: 6, minimum: 1, maximum: 100, description: 'Decoding stops after this many tokens per second of audio (Moonshine\'s own length limit).' }),
  },
  { additionalProperties: false, default: {}, description: 'Moonshine (sherpa-onnx export) options.' },
);

export const AsrSection = Type.Object(
  {
    engine: StringEnum(ASR_ENGINES, {
      default: 'pocketsphinx',
      description: 'Speech recognizer for the normal tier. none stores segments without text.',
    }),
    model: Type.String({ default: '', description: 'Model bundle name from the model manifest (empty: the engine\'s default bundle).' }),
    partials: Type.Boolean({ default: true, description: 'Stream partial results (streaming engines only; the reduced tier turns them off).' }),
    tiers: Type.Object(
      { reduced: TierOverride, minimal: TierOverride },
      { additionalProperties: false, default: {}, description: 'Per-degradation-tier engine/model overrides.' },
    ),
    record_latency: Type.Boolean({ default: true, description: 'Store one latency record per utterance in SQLite (always logged as asr.latency).' }),
    guards: GuardsSection,
    pocketsphinx: PocketsphinxSection,
    whisper: WhisperSection,
    moonshine: MoonshineSection,
    transducer: TransducerSection,
  },
  { additionalProperties: false, default: {}, description: 'Speech recognition.' },
);

export type AsrConfig = Static<typeof AsrSection>;

/** Cross-key checks of the asr section (registered in config/semantic.ts). */
export function asrSemanticCheck(c: { asr: AsrConfig }): Array<{ path: string; message: string }> {
  const a = c.asr;
  const issues: Array<{ path: string; message: string }> = [];
  const usesSphinx = [a.engine, a.tiers.reduced.engine, a.tiers.minimal.engine].includes('pocketsphinx');
  if (usesSphinx && a.pocketsphinx.mode === 'grammar' && a.pocketsphinx.grammar_file === '') {
    issues.push({ path: 'asr.pocketsphinx.grammar_file', message: 'must name a JSGF grammar file when asr.pocketsphinx.mode is grammar' });
  }
  if (usesSphinx && a.pocketsphinx.mode === 'keyphrase' && a.pocketsphinx.keyphrases.length === 0) {
    issues.push({ path: 'asr.pocketsphinx.keyphrases', message: 'must list at least one phrase when asr.pocketsphinx.mode is keyphrase' });
  }
  for (const tier of ['reduced', 'minimal'] as const) {
    const t = a.tiers[tier];
    if (t.model !== undefined && t.model !== '' && t.engine === undefined && (a.engine === 'none' || a.engine === 'pocketsphinx')) {
      issues.push({ path: `asr.tiers.${tier}.model`, message: `has no effect: engine ${a.engine} takes no model bundle (set asr.tiers.${tier}.engine too)` });
    }
  }
  return issues;
}
