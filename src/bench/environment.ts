/**
 * The machine a benchmark ran on, recorded with every result file (STYLE.md rule 11): a figure
 * without its machine cannot be compared with anything.
 */
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { arch, availableParallelism, cpus, platform, release, totalmem } from 'node:os';
import { packageRoot } from './paths.js';

/** The machine, runtime and source revision of a benchmark run. */
export interface Environment {
  /** When the run started, ISO 8601 UTC. */
  readonly date: string;
  /** Free text given with --label, e.g. "GitHub Actions ubuntu-latest, 4 vCPUs"; null if none. */
  readonly label: string | null;
  /** `process.version`, e.g. "v20.20.2". */
  readonly node: string;
  readonly v8: string;
  /** `os.platform()`, `os.release()` and `os.arch()`. */
  readonly platform: string;
  readonly release: string;
  readonly arch: string;
  /** Model of the first logical CPU as the OS reports it. */
  readonly cpuModel: string;
  /** Logical CPUs (`os.cpus().length`). */
  readonly cores: number;
  /** CPUs this process may use (`os.availableParallelism()`, honours affinity masks). */
  readonly availableParallelism: number;
  readonly totalMemoryBytes: number;
  /** `git rev-parse HEAD` of the package's own checkout; null outside a checkout. */
  readonly gitCommit: string | null;
  /** True when tracked files differ from that commit; null outside a checkout. */
  readonly gitDirty: boolean | null;
}

/** Reads the environment now. Runs `git` twice (a few milliseconds). */
export function collectEnvironment(label: string | null = null, root = packageRoot()): Environment {
  const git = gitState(root);
  return {
    date: new Date().toISOString(),
    label,
    node: process.version,
    v8: process.versions.v8,
    platform: platform(),
    release: release(),
    arch: arch(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    availableParallelism: availableParallelism(),
    totalMemoryBytes: totalmem(),
    gitCommit: git.commit,
    gitDirty: git.dirty,
  };
}

/** One line describing the environment, for the heads of tables. */
export function describeEnvironment(env: Environment): string {
  const gib = (env.totalMemoryBytes / 2 ** 30).toFixed(1);
  const commit = env.gitCommit === null ? 'no git checkout' : `commit ${env.gitCommit.slice(0, 10)}${env.gitDirty === true ? ' (modified)' : ''}`;
  return (
    `${env.cpuModel}, ${env.cores} logical cores (${env.availableParallelism} available), ${gib} GiB, ` +
    `Node ${env.node}, ${env.platform} ${env.arch}, ${commit}, ${env.date}${env.label === null ? '' : `, "${env.label}"`}`
  );
}

/**
 * The commit of the package's own checkout. A package installed inside some other repository
 * (node_modules) must not report that repository's commit, so the top level must be `root`.
 */
function gitState(root: string): { commit: string | null; dirty: boolean | null } {
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
    if (realpathSync(git('rev-parse', '--show-toplevel')) !== realpathSync(root)) return { commit: null, dirty: null };
    const commit = git('rev-parse', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return { commit, dirty };
  } catch {
    return { commit: null, dirty: null };
  }
}
