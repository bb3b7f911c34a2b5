/**
 * How the `accord` binary writes its lines to the terminal or a pipe. A progress line (one starting with `\r`: the
 * backfill bar, the backup's percentage) is redrawn in place on a terminal, so it is written without a new line and
 * the line is closed before anything else is written; on a pipe (a CI log, a file) every line ends with a new line,
 * so a log holds one progress line per step rather than one unterminated line.
 */
export interface Stream {
  write(s: string): unknown;
  isTTY?: boolean | undefined;
}

/** `out` and `err` writers for `run`'s Io over the process's streams. */
export function lineWriters(
  stdout: Stream,
  stderr: Stream,
): { out: (s: string) => void; err: (s: string) => void } {
  let open = false; // a progress line is on the terminal's last line, not yet ended
  const close = () => {
    if (open) stderr.write('\n');
    open = false;
  };
  return {
    out: (s) => {
      close();
      stdout.write(`${s}\n`);
    },
    err: (s) => {
      if (stderr.isTTY && s.startsWith('\r')) {
        stderr.write(s);
        open = true;
        return;
      }
      const wasOpen = open;
      close();
      // The end-of-progress marker ('\n') only closes the bar's line.
      if (wasOpen && s === '\n') return;
      stderr.write(`${s}\n`);
    },
  };
}
