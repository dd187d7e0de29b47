// Output helpers for people in a hurry: colour only on a TTY and without NO_COLOR, sizes and
// tables that read at a glance, and the one error type that means "you typed it wrong".

/** A mistake in the command line or its inputs: printed as `lambkin: <message>`, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface Paint {
  dim(text: string): string;
  bold(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
}

const plain: Paint = { dim: (t) => t, bold: (t) => t, red: (t) => t, yellow: (t) => t };

const sgr = (open: number, close: number) => (t: string) => `\x1b[${open}m${t}\x1b[${close}m`;
const ansi: Paint = { dim: sgr(2, 22), bold: sgr(1, 22), red: sgr(31, 39), yellow: sgr(33, 39) };

/** Colours for text written to `stream` (https://no-color.org: any non-empty NO_COLOR disables). */
export function paint(stream: NodeJS.WriteStream): Paint {
  return stream.isTTY && !process.env.NO_COLOR ? ansi : plain;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** Left-aligned columns separated by two spaces; the header row is bold on a TTY. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], p: Paint): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [p.bold(line(header)), ...rows.map(line)].join('\n') + '\n';
}

export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

export function note(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : text + '\n');
}
