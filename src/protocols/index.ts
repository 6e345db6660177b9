export * from './protocol.js';
export * from './peers.js';
export * from './registry.js';
