import { Type } from '@sinclair/typebox';

/** Over-the-air model updates: signed bundles, A/B slots, golden acceptance, probation. */
export const OtaSection = Type.Object(
  {
    data_dir: Type.String({ default: '/var/lib/parley', description: 'Data directory; OTA keeps ota/state.json and models/slots/<role>/{a,b} under it.' }),
    trusted_keys: Type.Array(
      Type.Object(
        {
          key_id: Type.String({ pattern: '^[0-9a-f]{16}$', description: 'First 16 hex digits of sha256 of the raw public key (printed by `parley models keygen`).' }),
          public_key: Type.String({ minLength: 1, description: 'Ed25519 public key: PEM (SPKI) or base64 of the raw 32 bytes.' }),
        },
        { additionalProperties: false },
      ),
      { default: [], description: 'Keys whose bundle signatures are accepted.' },
    ),
    revoked_key_ids: Type.Array(Type.String({ pattern: '^[0-9a-f]{16}$' }), { default: [], description: 'Key ids refused even when listed in trusted_keys.' }),
    max_bundle_bytes: Type.Integer({ default: 536870912, minimum: 1024, description: 'Largest bundle accepted for download, in bytes.' }),
    download_timeout_ms: Type.Integer({ default: 30000, minimum: 100, maximum: 600000, description: 'A download with no data for this long fails (it resumes on the next attempt).' }),
    max_wait_for_session_s: Type.Integer({
      default: 1800, minimum: 0, maximum: 86400,
      description: 'Activation waits while a recording session is active; after this long the install fails (retryable) instead of switching mid-session.',
    }),
    probation_minutes: Type.Number({ default: 10, minimum: 0, maximum: 10080, description: 'A new bundle is committed after this long without a crash loop (0 = commit at once).' }),
    probation_segments: Type.Integer({ default: 50, minimum: 0, maximum: 1000000, description: 'Or after this many healthy segments, whichever comes first (0 = off).' }),
    probation_max_crashes: Type.Integer({ default: 3, minimum: 1, maximum: 100, description: 'Inference crashes during probation that trigger an automatic rollback.' }),
    golden_timeout_ms: Type.Integer({ default: 60000, minimum: 1000, maximum: 600000, description: 'Time allowed for the fresh inference child to load and run the golden cases.' }),
    check_url: Type.String({ default: '', description: 'Announcement URL polled by the scheduled check (empty = off). Same JSON as the fleet announcement.' }),
    check_cron: Type.String({ default: '17 3 * * *', description: 'node-cron schedule of the manifest check.' }),
    rollout_group: Type.String({ default: '', description: 'This device\'s rollout group; announcements naming another group are ignored.' }),
  },
  { additionalProperties: false, default: {}, description: 'Over-the-air model updates (signed bundles, A/B slots, golden test, probation, rollback).' },
);
