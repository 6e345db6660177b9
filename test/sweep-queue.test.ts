/**
 * `gossip-sim sweep --queue` and `gossip-sim worker` with a real redis-server (on a free loopback
 * port, persistence off) and real worker processes of the built CLI. Skipped, with one line saying
 * how to run them, when redis-server is not on PATH; GOSSIP_SIM_REQUIRE_REDIS=1 (CI) makes a
 * missing redis-server a failure instead. Run `npm run build` first (`npm test` does).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { childPids, startCli, type CliProcess } from './support/cli-process.js';
import { hasRedis, HOW_TO_RUN, requireRedis, startRedis, type RedisServer } from './support/redis.js';
import { runMain } from './support/run-main.js';
import { packageRoot } from '../src/bench/paths.js';
import { parsePlan, readResultFile } from '../src/sweep/index.js';

const runQueueTests = hasRedis || requireRedis;
if (!runQueueTests) console.log(`skipping the queue tests (test/sweep-queue.test.ts): redis-server is not on PATH; ${HOW_TO_RUN}`);

/** 2 configurations x 3 seeds of tiny reference-engine runs. */
const PLAN = { seeds: [1, 2, 3], entries: [{ protocol: ['pull'], hosts: [20, 30], engine: ['reference'] }] };
/** Fast stalled-job recovery, so a killed worker's run comes back in about 1.5 s. */
const FAST_RECOVERY = ['--lock-duration', '1000', '--stalled-interval', '500'];

describe.skipIf(!runQueueTests)('a sweep through a Redis queue (redis-server and worker processes)', () => {
  let redis: RedisServer;
  let dir = '';
  let plan = '';
  let keys: string[] = [];
  const workers: CliProcess[] = [];
  let queues = 0;

  /** Starts a worker of the built CLI on queue `name`; resolves once it is taking runs. */
  async function worker(name: string, delayMs: number, extra: readonly string[] = []): Promise<CliProcess> {
    const w = startCli(['worker', redis.url, '--queue-name', name, '--concurrency', '1', ...FAST_RECOVERY, ...extra], { GOSSIP_SIM_TEST_DELAY_MS: String(delayMs) });
    workers.push(w);
    await w.waitFor(/taking runs from queue/);
    return w;
  }

  beforeAll(async () => {
    const built = join(packageRoot(), 'dist', 'src', 'sweep', 'worker.js');
    if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first (workers are the built CLI)`);
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'gossip-queue-'));
    plan = join(dir, 'plan.json');
    writeFileSync(plan, JSON.stringify(PLAN));
    keys = parsePlan(PLAN, plan).runs.map((r) => r.key);
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await w.exited;
    }
  });
  afterAll(async () => {
    await redis?.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('lets two workers share a plan: both take runs, the file holds every key of the plan once, and they stop cleanly on SIGTERM', async () => {
    const name = `test-share-${++queues}`;
    const [a, b] = [await worker(name, 300), await worker(name, 300)];
    const out = join(dir, 'shared.jsonl');
    const sweep = await runMain(['sweep', plan, '--queue', redis.url, '--queue-name', name, '--out', out]);
    expect(sweep.code, sweep.stderr).toBe(0);
    expect(sweep.stderr).toContain(`start workers with: gossip-sim worker ${redis.url} --queue-name ${name}`);
    const lines = readResultFile(out).lines;
    expect(lines.map((l) => l.key).sort()).toEqual([...keys].sort());
    const runners = new Map<string, number>();
    for (const l of lines) runners.set(l.runner, (runners.get(l.runner) ?? 0) + 1);
    expect([...runners.keys()].sort()).toEqual([`${hostOf(lines[0]!.runner)}:${a.child.pid}`, `${hostOf(lines[0]!.runner)}:${b.child.pid}`].sort());
    for (const w of [a, b]) {
      w.child.kill('SIGTERM');
      expect((await w.exited).code, w.stderr()).toBe(0);
      expect(w.stderr()).toMatch(/stopped \(SIGTERM\): [1-9]\d* runs finished, 0 failed, 0 handed back/);
    }

    // Enqueuing again is a no-op: a second sweep into a new file collects the finished jobs, runs nothing.
    const again = join(dir, 'again.jsonl');
    const second = await runMain(['sweep', plan, '--queue', redis.url, '--queue-name', name, '--out', again]);
    expect(second.code, second.stderr).toBe(0);
    const byKey = (path: string): Record<string, string> => Object.fromEntries(readResultFile(path).lines.map((l) => [l.key, `${l.runner} ${JSON.stringify(l.metrics)}`]));
    expect(byKey(again)).toEqual(byKey(out));
  });

  it('loses nothing and duplicates nothing when a worker is killed with SIGKILL mid-run: another worker runs it', async () => {
    const name = `test-kill-${++queues}`;
    // Each run busy-waits 3 s in this worker's child: it is surely mid-run when killed.
    const doomed = await worker(name, 3000);
    const out = join(dir, 'killed.jsonl');
    const sweep = runMain(['sweep', plan, '--queue', redis.url, '--queue-name', name, '--out', out]);
    const [, key] = await doomed.waitFor(/run ([0-9a-f]{16}) \(.*\): started/);
    // The machine is lost: the worker and its child run, no goodbye.
    const orphans = childPids(doomed.child.pid!);
    doomed.child.kill('SIGKILL');
    for (const pid of orphans) process.kill(pid, 'SIGKILL');
    await doomed.exited;
    const rescuer = await worker(name, 0);
    const result = await sweep;
    expect(result.code, result.stderr).toBe(0);
    const lines = readResultFile(out).lines;
    expect(lines.map((l) => l.key).sort()).toEqual([...keys].sort());
    const line = lines.find((l) => l.key === key)!;
    expect(line.runner.endsWith(`:${rescuer.child.pid}`)).toBe(true);
    expect(rescuer.stderr()).toContain(`run ${key} (`);
  });
});

function hostOf(runner: string): string {
  return runner.slice(0, runner.lastIndexOf(':'));
}
