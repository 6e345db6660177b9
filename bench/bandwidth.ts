/**
 * The memory-bandwidth control: what this machine gives 2..N threads that stream memory, beside
 * the CPU-scaling control of `gossip-sim bench` (pure arithmetic, no memory traffic). Each worker
 * copies one 256 MiB Int32Array into another (TypedArray.prototype.set: a memcpy) for about a
 * second; the figure is the bytes moved per second (read + write), summed over the workers, on 1
 * thread and then on N at once. The simulator's set-mode ticks (`push`, `pull`, `push-pull`: every
 * merge reads one set and writes another) and every first touch of its state stream memory, so a
 * 2-thread speedup beside a bandwidth control of 1.2x is this machine's, not the engine's.
 *
 *   npm run build && node dist/bench/bandwidth.js [--threads 2] [--repeat 5]
 *
 * Prints one line per sample and the median ratio; exits 2 on a bad option.
 */
import { availableParallelism, cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { nextMessage as once } from '../src/bench/control.js';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const a = new Int32Array(workerData.bytes / 4).fill(1);
const b = new Int32Array(workerData.bytes / 4).fill(2);
parentPort.on('message', (seconds) => {
  const started = performance.now();
  let copies = 0;
  while (performance.now() - started < seconds * 1000) { b.set(a); copies++; }
  parentPort.postMessage({ bytes: copies * workerData.bytes * 2, seconds: (performance.now() - started) / 1000 });
});
parentPort.postMessage('ready');
`;

const BYTES = 256 * 1024 * 1024;

function option(name: string, fallback: number, max: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const raw = process.argv[i + 1];
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    process.stderr.write(`bandwidth: ${name} must be a whole number from 1 to ${max}, got ${raw === undefined ? 'nothing' : JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return value;
}

const threads = option('--threads', Math.min(2, availableParallelism()), 256);
const repeat = option('--repeat', 5, 100);


/** GB/s (10^9 bytes) moved by `workers` copying at once for about a second. */
async function rate(workers: Worker[]): Promise<number> {
  const answers = await Promise.all(workers.map((w) => {
    const answer = once<{ bytes: number; seconds: number }>(w);
    w.postMessage(1);
    return answer;
  }));
  return answers.reduce((sum, a) => sum + a.bytes / a.seconds / 1e9, 0);
}

const workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true, workerData: { bytes: BYTES } }));
await Promise.all(workers.map((w) => once(w)));
process.stdout.write(`memory-bandwidth control: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} logical cores, Node ${process.version}; memcpy of 256 MiB per worker\n`);
const ratios: number[] = [];
for (let r = 0; r < repeat; r++) {
  const one = await rate(workers.slice(0, 1));
  const many = await rate(workers);
  ratios.push(many / one);
  process.stdout.write(`  sample ${r + 1}: 1 thread ${one.toFixed(1)} GB/s, ${threads} threads ${many.toFixed(1)} GB/s: ${(many / one).toFixed(2)}x\n`);
}
ratios.sort((x, y) => x - y);
process.stdout.write(`median ${ratios[Math.floor(ratios.length / 2)]!.toFixed(2)}x (${ratios[0]!.toFixed(2)}x-${ratios[ratios.length - 1]!.toFixed(2)}x) for ${threads} threads (${threads}x: bandwidth scales with threads)\n`);
await Promise.all(workers.map((w) => w.terminate()));
