/**
 * The worked examples of SPEC.md (constant latency 1, seed 1), every column, for every engine.
 * These numbers are the contract: if one changes, the semantics changed.
 */
import { describe, expect, it } from 'vitest';
import type { Protocol } from '../src/index.js';
import { ENGINE_VARIANTS } from './support/engines.js';

interface WorkedExample {
  readonly hosts: number;
  readonly protocol: Protocol;
  readonly sent: number;
  readonly delivered: number;
  readonly processed: number;
  readonly ignored: number;
  readonly entries: number;
  readonly ticks: number;
}

// SPEC.md, "Worked examples (constant latency 1, seed 1)", row by row.
const WORKED_EXAMPLES: readonly WorkedExample[] = [
  { hosts: 1, protocol: 'announce', sent: 0, delivered: 0, processed: 0, ignored: 0, entries: 0, ticks: 0 },
  { hosts: 2, protocol: 'announce', sent: 3, delivered: 2, processed: 2, ignored: 0, entries: 5, ticks: 2 },
  { hosts: 100, protocol: 'announce', sent: 9999, delivered: 5148, processed: 5049, ignored: 99, entries: 504999, ticks: 3 },
  { hosts: 100, protocol: 'push', sent: 1799, delivered: 1699, processed: 1699, ignored: 0, entries: 105224, ticks: 17 },
  { hosts: 1000, protocol: 'push-pull', sent: 6998, delivered: 4998, processed: 4998, ignored: 0, entries: 4007444, ticks: 3 },
];

describe.each(ENGINE_VARIANTS)('worked examples of SPEC.md on the $label engine', ({ input, simulate }) => {
  it.each(WORKED_EXAMPLES)(
    '$hosts hosts, $protocol: sent $sent, delivered $delivered, processed $processed, ignored $ignored, entries $entries, ticks $ticks',
    async (example) => {
      const result = await simulate({ ...input, hosts: example.hosts, protocol: example.protocol, latency: 1, seed: 1 });
      expect({
        sent: result.sent,
        delivered: result.delivered,
        processed: result.processed,
        ignored: result.ignored,
        entries: result.entries,
        ticks: result.ticks,
      }).toEqual({
        sent: example.sent,
        delivered: example.delivered,
        processed: example.processed,
        ignored: example.ignored,
        entries: example.entries,
        ticks: example.ticks,
      });
      expect(result.converged).toBe(true);
      expect(result.endReason).toBe('converged');
      expect(result.lastTick).toBe(example.ticks);
      expect(result.lost).toBe(0);
      expect(result.coverage).toBe(1);
      expect(result.inFlight).toBe(result.sent - result.delivered);
    },
  );

  it('the defaults are the worked examples\' latency 1 and seed 1', async () => {
    const implicit = await simulate({ ...input, hosts: 100, protocol: 'push' });
    expect([implicit.sent, implicit.delivered, implicit.entries, implicit.ticks]).toEqual([1799, 1699, 105224, 17]);
  });

  it('a single host converges at tick 0 without sending anything', async () => {
    const result = await simulate({ ...input, hosts: 1 });
    expect(result.converged).toBe(true);
    expect(result.ticks).toBe(0);
    expect(result.lastTick).toBe(0);
    expect(result.sent).toBe(0);
    expect(result.hostCompletionTicks).toEqual([0]);
  });
});
