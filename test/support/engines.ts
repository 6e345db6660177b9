/**
 * The engines every engine-level test runs against. One shared suite (STYLE.md rule 10): tests
 * loop over this list with `describe.each`, never name an engine themselves.
 */
import type { EngineName } from '../../src/index.js';

/** One engine configuration under test: a label for test names and the options that select it. */
export interface EngineVariant {
  readonly label: string;
  readonly input: { readonly engine: EngineName; readonly threads?: number };
}

export const ENGINE_VARIANTS: readonly EngineVariant[] = [
  { label: 'reference', input: { engine: 'reference' } },
];
