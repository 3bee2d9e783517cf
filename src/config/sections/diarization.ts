import { Type } from '@sinclair/typebox';
import type { SemanticCheck } from '../semantic.js';
import { StringEnum } from '../string-enum.js';

export const DiarizationSection = Type.Object(
  {
    engine: StringEnum(['builtin', 'neural', 'none'] as const, {
      default: 'builtin',
      description: 'Speaker embedding engine: builtin (cepstral statistics, no model needed), neural (speaker-embedding ONNX model in the inference child), none (no speaker labels).',
    }),
    embedding_model: Type.String({ default: '', description: 'Neural engine: speaker-embedding ONNX file (sherpa-onnx export: 3D-Speaker, WeSpeaker, NeMo). Empty: none installed.' }),
    segmentation_model: Type.String({ default: '', description: 'Neural engine: pyannote segmentation 3.0 ONNX export (sherpa-onnx format) that finds speaker changes inside a segment. Empty: changes where the embeddings of adjacent window_ms windows fall below neural_threshold.' }),
    neural_threshold: Type.Number({
      default: 0.5, minimum: -1, maximum: 1,
      description: 'Neural engine: cosine similarity above which a piece joins a speaker (live) and clusters merge (session end); without a segmentation model, adjacent windows less similar than this mark a speaker change.',
    }),
    neural_enroll_similarity: Type.Number({
      default: 0.6, minimum: -1, maximum: 1,
      description: 'Neural engine: cosine similarity to an enrolled voiceprint (same model) needed to use its name.',
    }),
    online_threshold: Type.Number({
      default: 1.0, minimum: 0.05, maximum: 10,
      description: 'Live labelling: a segment joins the nearest speaker when its scaled distance to that speaker\'s centroid is below this; otherwise a new speaker is created.',
    }),
    offline_threshold: Type.Number({
      default: -0.15, minimum: -1, maximum: 1,
      description: 'Session-end re-clustering: agglomerative merging stops when the best average cosine similarity (session-centred embeddings) falls below this.',
    }),
    enroll_threshold: Type.Number({
      default: 0.8, minimum: 0.05, maximum: 10,
      description: 'A speaker whose centroid is within this scaled distance of an enrolled voiceprint is given that name.',
    }),
    change_threshold: Type.Number({
      default: 1.2, minimum: 0.05, maximum: 10,
      description: 'Change-point detector: a segment is split where the distance between the statistics of the windows before and after a point peaks above this.',
    }),
    min_speaker_ms: Type.Integer({
      default: 3000, minimum: 0, maximum: 600000,
      description: 'Without a known count, a re-clustered speaker with less speech than this is dissolved into the nearest speaker (spurious clusters from noise or channel changes).',
    }),
    min_speaker_fraction: Type.Number({
      default: 0.1, minimum: 0, maximum: 0.5,
      description: 'Same, as a fraction of the clustered speech (the larger of the two applies).',
    }),
    max_speakers: Type.Integer({ default: 8, minimum: 1, maximum: 64, description: 'Upper bound on speakers per session (online and offline).' }),
    min_segment_ms: Type.Integer({
      default: 1000, minimum: 200, maximum: 10000,
      description: 'Pieces shorter than this never create a new speaker (label-churn protection) and change points closer than this are not used.',
    }),
    window_ms: Type.Integer({ default: 2000, minimum: 300, maximum: 10000, description: 'Embedding window inside a segment (sliding windows are what the session-end re-clustering clusters).' }),
    hop_ms: Type.Integer({ default: 250, minimum: 100, maximum: 10000, description: 'Step between embedding windows.' }),
    change_method: StringEnum(['clustering', 'distance'] as const, {
      default: 'clustering',
      description: 'How a segment is split at speaker changes: clustering (its sliding windows are clustered with the session\'s recent windows) or distance (peaks of the statistics distance before/after a point above change_threshold).',
    }),
    context_windows: Type.Integer({ default: 240, minimum: 0, maximum: 5000, description: 'Recent session windows clustered together with a new segment to find its change points (bounds the cost per segment).' }),
    refine_ms: Type.Integer({ default: 500, minimum: 0, maximum: 3000, description: 'clustering method with reseg_window_ms 0: each cut between window runs moves to the strongest statistics change within this distance (0: no refinement).' }),
    reseg_window_ms: Type.Integer({ default: 1000, minimum: 0, maximum: 5000, description: 'clustering method: when above 0, a segment holding several speakers is resegmented with windows this long scored against the speaker centroids (Viterbi), instead of cutting between window runs.' }),
    reseg_hop_ms: Type.Integer({ default: 100, minimum: 10, maximum: 2000, description: 'Step between resegmentation windows.' }),
    reseg_switch_penalty: Type.Number({ default: 1, minimum: 0, maximum: 100, description: 'Resegmentation: cost of a speaker switch, in units of cosine similarity per step.' }),
    change_context_ms: Type.Integer({ default: 1000, minimum: 300, maximum: 5000, description: 'Change-point detector context on each side of a candidate point.' }),
    change_step_ms: Type.Integer({ default: 100, minimum: 10, maximum: 2000, description: 'Step between candidate change points.' }),
    offline_method: StringEnum(['agglomerative', 'spectral'] as const, {
      default: 'agglomerative',
      description: 'Session-end re-clustering method: agglomerative (average linkage, cosine) or spectral (eigengap chooses the count).',
    }),
    max_cluster_items: Type.Integer({
      default: 1500, minimum: 10, maximum: 20000,
      description: 'Most window embeddings clustered at once (the similarity matrix is this squared); beyond it an evenly spaced subset is clustered and the rest join the nearest cluster.',
    }),
    max_offline_items: Type.Integer({
      default: 8000, minimum: 10, maximum: 100000,
      description: 'Most window embeddings kept per session for re-clustering; the oldest leave the set and keep their labels (bounds memory and time).',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Speaker diarization: live labels, session-end re-clustering, enrolled speakers.' },
);

export const diarizationChecks: SemanticCheck = (c) => (c.diarization.engine === 'neural' && c.diarization.embedding_model === ''
  ? [{ path: 'diarization.embedding_model', message: 'must name a speaker-embedding ONNX file when diarization.engine is neural' }]
  : []);
