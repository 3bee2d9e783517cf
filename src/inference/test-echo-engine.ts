import type { EngineFactory } from './engine.js';

/**
 * A trivial engine for tests of the inference process itself (IPC, timeouts, restarts).
 * It runs no model. Fault methods are only honoured when PARLEY_TEST_FAULTS=1.
 */
export const createEchoEngine: EngineFactory = async (options) => {
  const faults = process.env.PARLEY_TEST_FAULTS === '1';
  return {
    async call(method, args) {
      switch (method) {
        case 'echo':
          return args[0];
        case 'sum': {
          const a = args[0] as Float32Array;
          let s = 0;
          for (const v of a) s += v;
          return s;
        }
        case 'options':
          return options;
        case 'sleep':
          await new Promise((r) => setTimeout(r, Number(args[0])));
          return 'slept';
        case 'hang':
          if (!faults) break;
          for (;;) { /* busy loop: a stuck native call */ }
        case 'crash':
          if (!faults) break;
          process.exit(134);
        case 'abort':
          if (!faults) break;
          process.abort();
        default:
          break;
      }
      throw new Error(`unknown method ${method}`);
    },
  };
};
