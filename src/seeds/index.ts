export { parseSeeds, MAX_SEEDS, MAX_SEED } from './parse.js';
export { runSeeds, planSeeds, POOL_MAX_HOSTS, type SeedsOutcome, type SeedsPlan, type SeedsControls } from './run.js';
export { aggregateRuns, aggregateNames, statisticsOf, valueOf, type MetricAggregate, type SeedsAggregate } from './aggregate.js';
export { seedRunOf, type SeedRun } from './seed-run.js';
export { runSeedsCommand, seedsJsonOf, formatSeeds, type SeedsFlags, type SeedsCommandContext } from './command.js';
