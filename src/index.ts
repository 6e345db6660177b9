export { simulate, type Result, type RunControls } from "./simulate.js";
export { closePools, type Progress } from "./engines/parallel/engine.js";
export {
  resolveOptions, parseLatency, formatLatency, DEFAULTS, PROTOCOLS, SET_PROTOCOLS, VIEWS, ENGINES,
  RUMOR_DEFAULTS, RUMOR_MODES, RUMOR_FEEDBACKS, RUMOR_STOPS, CONTACTS,
  type Protocol, type View, type EngineName, type Latency, type SimulationOptions, type SimulationInput,
  type RumorMode, type RumorFeedback, type RumorStop, type Contact, type RumorOptions,
} from './options.js';
export { METRIC_NAMES, type Metrics, type SimulationOutcome, type TickSeries, type EndReason } from './result.js';
export { OptionError, MemoryLimitError, WorkerFailedError, SeedRunError } from './errors.js';
export { runSeeds, parseSeeds, type SeedsOutcome, type SeedsControls, type SeedRun, type MetricAggregate } from './seeds/index.js';
export { mix32, rand } from './hash.js';
