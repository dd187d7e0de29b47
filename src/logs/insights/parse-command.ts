// `parse`: fields taken out of a text field. A glob (`"user=* took * ms" as user, ms`) is literal
// text with `*` for each field: the first literal part is found anywhere, each `*` then takes the
// text up to the next part's first occurrence (the last `*` of a pattern that ends in one takes the
// rest). A regex names its fields with (?<name>…). When the text does not match, the fields are
// absent from that row.
import type { ParsePattern } from './ast.js';
import type { Value } from './values.js';

/** A glob's literal parts: one more than its `*`s (`"a*b"` → ["a", "b"]); `\*` is a literal star. */
export function parseGlob(pattern: string): string[] {
  const parts: string[] = [''];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && pattern[i + 1] === '*') {
      parts[parts.length - 1] += '*';
      i++;
    } else if (c === '*') parts.push('');
    else parts[parts.length - 1] += c;
  }
  return parts;
}

export function applyParse(pattern: ParsePattern, text: string, set: (name: string, value: Value) => void): void {
  if (pattern.kind === 'regex') {
    const m = pattern.re.matcher(text);
    if (!m.find()) return;
    for (const name of pattern.names) {
      const v = m.group(name);
      if (v !== null) set(name, v);
    }
    return;
  }
  const { parts, names } = pattern;
  let at = text.indexOf(parts[0]!);
  if (at < 0) return;
  at += parts[0]!.length;
  const values: string[] = [];
  for (let k = 1; k < parts.length; k++) {
    const literal = parts[k]!;
    if (k === parts.length - 1 && literal === '') {
      values.push(text.slice(at));
      break;
    }
    const end = text.indexOf(literal, at);
    if (end < 0) return;
    values.push(text.slice(at, end));
    at = end + literal.length;
  }
  names.forEach((name, i) => { set(name, values[i]); });
}
