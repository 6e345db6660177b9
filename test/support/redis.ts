/**
 * A real redis-server for the queue tests: on a free loopback port, in a temporary folder, with
 * persistence off; stopped (and its folder removed) by `stop()`. Tests that need it are skipped
 * when redis-server is not on PATH, unless GOSSIP_SIM_REQUIRE_REDIS=1 (CI) makes that a failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** redis-server answers `--version`. */
export const hasRedis = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/** GOSSIP_SIM_REQUIRE_REDIS=1: a missing redis-server fails the queue tests instead of skipping them. */
export const requireRedis = process.env['GOSSIP_SIM_REQUIRE_REDIS'] === '1';

/** How to get the skipped tests to run, said once when they are skipped. */
export const HOW_TO_RUN = 'install redis-server (apt-get install redis-server) to run them; GOSSIP_SIM_REQUIRE_REDIS=1 turns this skip into a failure';

/** A running server. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** A TCP port free on 127.0.0.1 right now (the kernel's pick). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts redis-server on 127.0.0.1 and resolves once it accepts connections (at most 10 s). */
export async function startRedis(): Promise<RedisServer> {
  if (!hasRedis) throw new Error("redis-server is not on PATH, and GOSSIP_SIM_REQUIRE_REDIS=1 requires it: apt-get install redis-server");
  const dir = mkdtempSync(join(tmpdir(), 'gossip-redis-'));
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within 10 s:\n${output}`)), 10_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
