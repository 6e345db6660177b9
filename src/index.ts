export { simulate, type Result, type RunControls } from "./simulate.js";
export { closePools, type Progress } from "./engines/parallel/engine.js";
export {
  resolveOptions, parseLatency, formatLatency, DEFAULTS, PROTOCOLS, VIEWS, ENGINES,
  type Protocol, type View, type EngineName, type Latency, type SimulationOptions, type SimulationInput,
} from './options.js';
export { METRIC_NAMES, type Metrics, type SimulationOutcome, type TickSeries, type EndReason } from './result.js';
export { OptionError, MemoryLimitError, WorkerFailedError } from './errors.js';
export { mix32, rand } from './hash.js';
