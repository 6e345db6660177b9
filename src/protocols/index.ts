export * from './protocol.js';
export * from './peers.js';
export * from './periodic.js';
export * from './registry.js';
