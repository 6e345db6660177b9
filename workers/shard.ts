/**
 * The piscina worker of the parallel engine. Each task is one long-lived shard: it exposes
 * `ShardApi` over comlink on the task's port and ends when the main thread calls `close()`.
 */
import { expose } from 'comlink';
import { endpointOf, type ShardApi, type ShardTask } from '../src/engines/parallel/control.js';
import { runShard } from '../src/engines/parallel/shard.js';

/** The piscina task: serve one shard until closed. */
export default function shardTask({ port }: ShardTask): Promise<void> {
  return new Promise<void>((resolve) => {
    const api: ShardApi = {
      run: (config) => runShard(config),
      close: () => {
        // comlink posts this call's answer in a microtask: close the port only after it went out.
        setImmediate(() => {
          port.close();
          resolve();
        });
      },
    };
    expose(api, endpointOf(port));
  });
}
