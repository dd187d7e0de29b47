// How numbers and times look everywhere in the console.
const nf = new Intl.NumberFormat('en');

export const count = (n: number | undefined): string => (n === undefined ? '–' : nf.format(n));

export function ms(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '–';
  if (v < 1) return `${v.toFixed(2)} ms`;
  if (v < 100) return `${v.toFixed(1)} ms`;
  if (v < 10_000) return `${Math.round(v)} ms`;
  return `${(v / 1000).toFixed(1)} s`;
}

export function mb(v: number | undefined): string {
  return v === undefined ? '–' : `${nf.format(v)} MB`;
}

export function bytes(v: number | undefined): string {
  if (v === undefined) return '–';
  if (v < 1024) return `${v} B`;
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(1)} KB`;
  return `${(v / 1024 / 1024).toFixed(1)} MB`;
}

export function ago(t: number | undefined, now = Date.now()): string {
  if (t === undefined) return '–';
  const s = Math.round((now - t) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function age(msSpan: number): string {
  const s = Math.floor(msSpan / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function time(t: number): string {
  const d = new Date(t);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function shortTime(t: number): string {
  return time(t).slice(11, 19);
}

/** Lambda's LastModified (2026-11-27T04:39:51.123+0000) → epoch ms. */
export function lambdaTime(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(t) ? undefined : t;
}

export function pct(part: number, whole: number): string {
  return whole === 0 ? '' : `${((part / whole) * 100).toFixed(part / whole < 0.1 ? 1 : 0)} %`;
}
