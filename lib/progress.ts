// Progress of long commands (seed, lead sweep, export): on a terminal a bar with counts and time left,
// on stderr so that stdout stays clean for the summary; elsewhere (CI, pipes) nothing until the
// command's own summary line.
import cliProgress from 'cli-progress';

export interface ProgressBar {
  update(value: number, payload?: Record<string, string | number>): void;
  setTotal(total: number): void;
  stop(): void;
}

export function progressBar(options: {
  label: string;
  /** What is counted, e.g. "leads". */
  unit: string;
  total: number;
  /** More fields after the count, as cli-progress tokens ({name}); their values go in update's payload. */
  extra?: string;
  payload?: Record<string, string | number>;
  stream?: NodeJS.WriteStream;
}): ProgressBar {
  const stream = options.stream ?? process.stderr;
  if (!stream.isTTY) return { update: () => undefined, setTotal: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${options.label} [{bar}] {percentage}% | {value}/{total} ${options.unit}${options.extra ? ` | ${options.extra}` : ''} | {eta_formatted} left | {duration_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(options.total, 1), 0, options.payload ?? {});
  return {
    update: (value, payload) => bar.update(value, payload ?? {}),
    setTotal: (total) => bar.setTotal(Math.max(total, 1)),
    stop: () => bar.stop(),
  };
}
