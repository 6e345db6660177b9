/**
 * The progress line of a sweep on stderr: configuration i of n, run r of R, elapsed, estimate.
 * Drawn only on a terminal (a log file or CI capture gets nothing); redrawn in place once a second.
 */
import type { SweepProgress } from './sweep.js';

const WIDTH = 24;

/** A single self-overwriting stderr line. */
export class ProgressLine {
  private last: SweepProgress | null = null;
  private lastAt = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly write: (text: string) => void,
    private readonly enabled: boolean,
  ) {}

  /** Records where the sweep is and redraws. */
  update(progress: SweepProgress): void {
    if (!this.enabled) return;
    this.last = progress;
    this.lastAt = performance.now();
    if (this.timer === null) {
      this.timer = setInterval(() => this.draw(), 1000);
      this.timer.unref();
    }
    this.draw();
  }

  /** Clears the line and stops redrawing. */
  finish(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.enabled && this.last !== null) this.write('\r\x1b[2K');
    this.last = null;
  }

  private draw(): void {
    const p = this.last;
    if (p === null) return;
    const since = (performance.now() - this.lastAt) / 1000;
    const total = p.configurations * p.runs;
    const done = p.phase === 'control' ? (p.configuration === 0 ? 0 : total) : (p.configuration - 1) * p.runs + (p.run - 1);
    const filled = total === 0 ? 0 : Math.round((done / total) * WIDTH);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}]`;
    const where = p.phase === 'control' ? p.label : `configuration ${p.configuration}/${p.configurations} (${p.label}), run ${p.run}/${p.runs}`;
    const left = p.remainingSeconds === null ? '' : `, about ${clock(Math.max(0, p.remainingSeconds - since))} left`;
    this.write(`\r\x1b[2Kbench ${bar} ${where}, elapsed ${clock(p.elapsedSeconds + since)}${left}`);
  }
}

/** `m:ss` or `h:mm:ss`. */
export function clock(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
