/**
 * sherpa-onnx endpoint rules. A rule fires when
 *   (utterance contains non-silence || !mustContainNonSilence)
 *   && trailingSilence ≥ minTrailingSilence && utteranceLength ≥ minUtteranceLength,
 * where "contains non-silence" means utteranceLength > trailingSilence, trailing silence is the
 * number of trailing blank encoder frames × subsampling × 10 ms, and utterance length is the
 * number of feature frames decoded since the last reset × 10 ms.
 * Defaults (sherpa): rule1 2.4 s silence without text, rule2 1.2 s silence after text,
 * rule3 utterance reaches 20 s.
 */
export interface EndpointRule {
  mustContainNonSilence: boolean;
  minTrailingSilenceMs: number;
  minUtteranceLengthMs: number;
}

export interface EndpointConfig {
  enabled: boolean;
  rules: EndpointRule[];
}

export function defaultEndpointRules(rule1Ms = 2400, rule2Ms = 1200, rule3Ms = 20000): EndpointRule[] {
  return [
    { mustContainNonSilence: false, minTrailingSilenceMs: rule1Ms, minUtteranceLengthMs: 0 },
    { mustContainNonSilence: true, minTrailingSilenceMs: rule2Ms, minUtteranceLengthMs: 0 },
    { mustContainNonSilence: false, minTrailingSilenceMs: 0, minUtteranceLengthMs: rule3Ms },
  ];
}

/** Index of the first rule that fires, or -1. */
export function endpointRuleFired(cfg: EndpointConfig, utteranceLengthMs: number, trailingSilenceMs: number): number {
  if (!cfg.enabled) return -1;
  const containsNonSilence = utteranceLengthMs > trailingSilenceMs;
  return cfg.rules.findIndex((r) => (containsNonSilence || !r.mustContainNonSilence)
    && trailingSilenceMs >= r.minTrailingSilenceMs && utteranceLengthMs >= r.minUtteranceLengthMs);
}
