/**
 * A progress bar on stderr: redrawn in place on a TTY, a line every ~10% otherwise (CI logs stay short).
 * @public
 */

export interface ProgressBar {
  update(done: number, detail?: string): void;
  finish(detail?: string): void;
}

export function createProgressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const started = performance.now();
  const tty = stream.isTTY === true;
  let lastDecile = -1;
  const render = (done: number, detail = '') => {
    const fraction = total === 0 ? 1 : done / total;
    const width = 24;
    const filled = Math.round(fraction * width);
    const elapsed = (performance.now() - started) / 1000;
    const eta = done > 0 ? (elapsed / done) * (total - done) : 0;
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${(fraction * 100).toFixed(0)}% ${elapsed.toFixed(1)}s eta ${eta.toFixed(1)}s ${detail}`;
  };
  return {
    update(done, detail) {
      if (tty) {
        stream.write(`\r${render(done, detail)}\x1b[K`);
        return;
      }
      const decile = Math.floor((done / Math.max(1, total)) * 10);
      if (decile > lastDecile) {
        lastDecile = decile;
        stream.write(`${render(done, detail)}\n`);
      }
    },
    finish(detail) {
      if (tty) stream.write(`\r${render(total, detail)}\x1b[K\n`);
      else if (lastDecile < 10) stream.write(`${render(total, detail)}\n`);
    },
  };
}
