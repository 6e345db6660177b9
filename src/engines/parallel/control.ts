/**
 * The control plane between the main thread and the shards: comlink over one MessagePort per
 * shard. It carries the start (the shard's configuration with the shared buffers), the final
 * report and the close; nothing per message or per tick crosses it (progress is read from the
 * control block, stop requests are written there).
 */
import type { Endpoint } from 'comlink';
import type { MessagePort } from 'node:worker_threads';
import type { ShardConfig, ShardReport } from './shard.js';

/** What a shard worker exposes over comlink. */
export interface ShardApi {
  /** Runs the shard to the end of the run (blocks the worker) and returns its report. */
  run(config: ShardConfig): ShardReport;
  /** Ends the worker's task so the pool can be closed. */
  close(): void;
}

/** The piscina task of a shard: the port to expose `ShardApi` on. */
export interface ShardTask {
  readonly port: MessagePort;
}

/** Adapts a node:worker_threads MessagePort to comlink's endpoint (after comlink's node adapter). */
export function endpointOf(port: MessagePort): Endpoint {
  type Handler = ((event: { data: unknown }) => void) | { handleEvent(event: { data: unknown }): void };
  const listeners = new WeakMap<object, (data: unknown) => void>();
  return {
    postMessage: (message: unknown, transfer?: readonly unknown[]) => port.postMessage(message, transfer as never),
    addEventListener: (_type: string, handler: Handler) => {
      const listener = (data: unknown): void => {
        const event = { data };
        if (typeof handler === 'function') handler(event);
        else handler.handleEvent(event);
      };
      port.on('message', listener);
      listeners.set(handler, listener);
    },
    removeEventListener: (_type: string, handler: Handler) => {
      const listener = listeners.get(handler);
      if (listener === undefined) return;
      port.off('message', listener);
      listeners.delete(handler);
    },
    start: () => port.start(),
  } as unknown as Endpoint;
}
