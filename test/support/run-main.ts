/** Runs the CLI in-process through `main()`, capturing what it writes: the same exit-code mapping as the bin. */
import { main, type CliIo } from '../../src/cli.js';

export interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `gossip-sim ...argv` in this process; `stderrIsTTY` makes progress displays draw. */
export async function runMain(argv: readonly string[], stderrIsTTY = false): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stdoutIsTTY: false, stderrIsTTY };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
