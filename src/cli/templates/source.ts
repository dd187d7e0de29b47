// Reads a template file (YAML or JSON, which YAML includes) with the `yaml` package and turns it
// into plain values, keeping the line of every value by its path, so that an error can say
// `template.yaml:42: …`. CloudFormation's short forms (!Ref X, !GetAtt A.B, !Sub …) become the
// long forms ({ Ref: X }, { 'Fn::GetAtt': [A, B] }, …), as CloudFormation itself reads them.
import { readFileSync } from 'node:fs';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, YAMLMap, YAMLSeq, type Node, type Tags } from 'yaml';
import { TemplateError } from './errors.js';

export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };
export type Path = readonly (string | number)[];

export interface Source {
  /** The file as the user named it, for messages. */
  readonly file: string;
  readonly root: Value;
  /** The line (1-based) of the value at `path`, or of its nearest ancestor that has one. */
  lineOf(path: Path): number;
  /** `file:line` for messages. */
  at(path: Path): string;
}

const SHORT_FORMS = [
  'Ref', 'Condition', 'Sub', 'Join', 'If', 'GetAtt', 'Select', 'Split', 'FindInMap', 'Equals', 'Not', 'And', 'Or',
  'Base64', 'GetAZs', 'ImportValue', 'Cidr', 'Length', 'ToJsonString',
];

// Each short form may tag a scalar, a sequence or a map; the tags only mark the node, and
// toValue() below rewrites it into the long form.
const TAGS: Tags = SHORT_FORMS.flatMap((name) => [
  { tag: `!${name}`, resolve: (s: string) => s, identify: () => false },
  { tag: `!${name}`, collection: 'seq' as const, nodeClass: YAMLSeq, identify: () => false },
  { tag: `!${name}`, collection: 'map' as const, nodeClass: YAMLMap, identify: () => false },
]);

/** Templates are small; a bigger file is a mistake (a zip named .yaml, a data dump). */
const MAX_TEMPLATE_BYTES = 4 * 1024 * 1024;
const MAX_NODES = 1_000_000;

export function readSource(file: string): Source {
  let text: string;
  try {
    const data = readFileSync(file);
    if (data.length > MAX_TEMPLATE_BYTES) throw new TemplateError(`${file}: is ${data.length} bytes; a template is at most 4 MB`);
    text = data.toString('utf8');
  } catch (err) {
    if (err instanceof TemplateError) throw err;
    throw new TemplateError(`${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseSource(file, text);
}

export function parseSource(file: string, text: string): Source {
  const counter = new LineCounter();
  const doc = parseDocument(text, { customTags: TAGS, lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const line = counter.linePos(first.pos[0]).line;
    throw new TemplateError(`${file}:${line}: not valid YAML: ${first.message.split('\n')[0]}`);
  }
  const lines = new Map<string, number>();
  const key = (path: Path) => path.join('\u0000');
  let nodes = 0;
  const toValue = (node: unknown, path: Path): Value => {
    // Aliases can make a small file expand without end (each one copies its anchor): bound it.
    if (++nodes > MAX_NODES) throw new TemplateError(`${file}: expands to more than ${MAX_NODES} values (YAML aliases?); a template is smaller`);
    if (isAlias(node)) return toValue(node.resolve(doc), path);
    const n = node as Node | null;
    // A key's own line wins over its value's (a map value starts on the line after its key).
    if (n?.range && !lines.has(key(path))) lines.set(key(path), counter.linePos(n.range[0]).line);
    let value: Value;
    if (isMap(n)) {
      const out: { [k: string]: Value } = {};
      for (const pair of n.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (k === '<<') continue; // merge keys are resolved by `yaml` when enabled; not used by templates
        if (isScalar(pair.key) && pair.key.range) lines.set(key([...path, k]), counter.linePos(pair.key.range[0]).line);
        out[k] = toValue(pair.value, [...path, k]);
      }
      value = out;
    } else if (isSeq(n)) {
      value = n.items.map((item, i) => toValue(item, [...path, i]));
    } else if (isScalar(n)) {
      const v = n.value;
      value = v === undefined ? null : (v as Value);
    } else {
      value = null;
    }
    const tag = n && 'tag' in n ? n.tag : undefined;
    return tag?.startsWith('!') && SHORT_FORMS.includes(tag.slice(1)) ? longForm(tag.slice(1), value) : value;
  };
  const root = toValue(doc.contents, []);
  const lineOf = (path: Path): number => {
    for (let p = [...path]; ; p = p.slice(0, -1)) {
      const line = lines.get(key(p));
      if (line !== undefined) return line;
      if (p.length === 0) return 1;
    }
  };
  return { file, root, lineOf, at: (path) => `${file}:${lineOf(path)}` };
}

function longForm(name: string, value: Value): Value {
  if (name === 'Ref' || name === 'Condition') return { [name]: value };
  // !GetAtt Fn.Arn is the short spelling of [Fn, Arn].
  if (name === 'GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${name}`]: value };
}

export function isObject(v: Value | undefined): v is { [key: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
