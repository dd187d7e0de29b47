// A sparkline as inline SVG (cheap enough for one per table row): invocations as a line, the
// buckets with errors marked in the error colour.
const NS = 'http://www.w3.org/2000/svg';

export function sparkline(values: readonly number[], errors: readonly number[] = [], label = ''): SVGSVGElement {
  const w = 120, hgt = 28, pad = 2;
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${hgt}`);
  svg.setAttribute('class', 'spark');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  const max = Math.max(1, ...values);
  const x = (i: number) => pad + (i * (w - 2 * pad)) / Math.max(1, values.length - 1);
  const y = (v: number) => hgt - pad - (v / max) * (hgt - 2 * pad);
  const area = document.createElementNS(NS, 'path');
  const line = values.map((v, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join('');
  area.setAttribute('d', `${line}L${x(values.length - 1).toFixed(1)},${hgt - pad}L${x(0)},${hgt - pad}Z`);
  area.setAttribute('class', 'spark-area');
  const path = document.createElementNS(NS, 'path');
  path.setAttribute('d', line);
  path.setAttribute('class', 'spark-line');
  svg.append(area, path);
  errors.forEach((e, i) => {
    if (e <= 0) return;
    const c = document.createElementNS(NS, 'circle');
    c.setAttribute('cx', x(i).toFixed(1));
    c.setAttribute('cy', y(values[i] ?? 0).toFixed(1));
    c.setAttribute('r', '2');
    c.setAttribute('class', 'spark-error');
    svg.append(c);
  });
  return svg;
}
