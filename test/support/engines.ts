/**
 * The engines every engine-level test runs against. One shared suite (STYLE.md rule 10): tests
 * loop over this list with `describe.each`, never name an engine themselves, and run through the
 * variant's own `simulate`, which adds its test-only knobs (tiny rings).
 */
import type { EngineName, Result, SimulationInput } from '../../src/index.js';
import { runSimulation, type RunControls, type RunInternals } from '../../src/simulate.js';

/** One engine configuration under test: a label for test names and the options that select it. */
export interface EngineVariant {
  readonly label: string;
  readonly input: { readonly engine: EngineName; readonly threads?: number };
  /** `simulate()` with this variant's test-only knobs; callers still spread `input` themselves. */
  readonly simulate: (input: SimulationInput, controls?: RunControls) => Promise<Result>;
}

function variant(label: string, input: EngineVariant['input'], internals: RunInternals = {}): EngineVariant {
  return { label, input, simulate: (i, controls = {}) => runSimulation(i, controls, internals) };
}

/** Records per ring of the tiny-ring variant: producers wait for space at every test size. */
export const TINY_RING = 16;
/** State memories of the segmented variant (set mode; layout.ts, SEGMENTS). */
export const SEGMENTS = 3;

export const ENGINE_VARIANTS: readonly EngineVariant[] = [
  variant('reference', { engine: 'reference' }),
  // Thread counts of the parallel engine: 3 and 7 do not divide most host counts, 3, 4 and 7 are
  // more threads than this machine's cores.
  variant('parallel, 1 thread', { engine: 'parallel', threads: 1 }),
  variant('parallel, 2 threads', { engine: 'parallel', threads: 2 }),
  variant('parallel, 3 threads', { engine: 'parallel', threads: 3 }),
  variant('parallel, 4 threads', { engine: 'parallel', threads: 4 }),
  variant('parallel, 7 threads', { engine: 'parallel', threads: 7 }),
  // The ring-full back-pressure path (a producer waits for space, draining its own rings).
  variant(`parallel, 3 threads, rings of ${TINY_RING} records`, { engine: 'parallel', threads: 3 }, { ringCapacity: TINY_RING }),
  // Versioned bitsets split over several state memories (as past 4 GiB), boundaries off the shards'.
  variant(`parallel, 2 threads, ${SEGMENTS} state memories`, { engine: 'parallel', threads: 2 }, { segments: SEGMENTS }),
];
