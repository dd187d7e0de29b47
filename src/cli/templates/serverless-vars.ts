// Serverless Framework variables, resolved locally: ${self:a.b}, ${env:NAME}, ${opt:stage},
// ${opt:region}, ${sls:stage}, each with an optional default after a comma (${env:X, 'd'}).
// Innermost variables are resolved first, so ${self:custom.${opt:stage}} works. A variable whose
// source lambkin cannot read (file, ssm, cf, s3, …) uses its default and is listed in the notes;
// without a default it is an error naming the line.
import { TemplateError } from './errors.js';
import type { Notes } from './plan.js';
import { isObject, type Path, type Source, type Value } from './source.js';

export interface VariableOptions {
  readonly stage?: string;
  readonly region?: string;
  readonly env: NodeJS.ProcessEnv;
}

/** The innermost ${…}: one that has no ${ inside. */
const INNERMOST = /\$\{([^${}]*)\}/;
const MAX_STEPS = 10_000;

export class ServerlessVariables {
  private readonly resolving = new Set<string>();
  private steps = 0;

  constructor(
    private readonly src: Source,
    private readonly opts: VariableOptions,
    private readonly notes: Notes,
  ) {}

  private fail(path: Path, message: string): never {
    throw new TemplateError(`${this.src.at(path)}: ${message}`);
  }

  /** The value at `path` in the file with every variable in it resolved. */
  at(path: Path): Value | undefined {
    let v: Value | undefined = this.src.root;
    for (const k of path) {
      if (Array.isArray(v) && typeof k === 'number') v = v[k];
      else if (isObject(v)) v = v[String(k)];
      else return undefined;
      if (v === undefined) return undefined;
    }
    return this.all(v, path);
  }

  all(v: Value, path: Path): Value {
    if (typeof v === 'string') return this.string(v, path);
    if (Array.isArray(v)) return v.map((x, i) => this.all(x, [...path, i]));
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.all(x, [...path, k])]));
    return v;
  }

  private string(text: string, path: Path): Value {
    let s = text;
    for (;;) {
      if (++this.steps > MAX_STEPS) this.fail(path, 'too many variables to resolve (a loop?)');
      const m = INNERMOST.exec(s);
      if (!m) return s;
      const value = this.variable(m[1]!, path);
      // A value that is the whole string keeps its type (a number, a map); inside text it is text.
      if (m[0].length === s.length) return typeof value === 'string' && INNERMOST.test(value) ? this.string(value, path) : value;
      if (typeof value === 'object' && value !== null) this.fail(path, `\${${m[1]}} is a ${Array.isArray(value) ? 'list' : 'map'}; it cannot be part of a text`);
      s = s.slice(0, m.index) + String(value) + s.slice(m.index + m[0].length);
    }
  }

  private variable(expr: string, path: Path): Value {
    const [ref, fallback] = splitDefault(expr);
    const colon = ref.indexOf(':');
    const source = colon < 0 ? '' : ref.slice(0, colon).trim();
    const address = colon < 0 ? ref.trim() : ref.slice(colon + 1).trim();
    const found = this.lookup(source, address, ref, path, fallback !== undefined);
    if (found !== undefined) return found;
    if (fallback !== undefined) return fallback;
    return this.fail(path, `\${${expr}}: ${source === 'env' ? `environment variable ${address} is not set` : `${ref} has no value`} and there is no default (write \${${ref}, 'default'})`);
  }

  private lookup(source: string, address: string, ref: string, path: Path, hasDefault: boolean): Value | undefined {
    switch (source) {
      case 'env': return this.opts.env[address];
      case 'opt':
        if (address === 'stage') return this.opts.stage;
        if (address === 'region') return this.opts.region;
        return undefined;
      case 'sls':
        if (address === 'stage') return this.stage();
        if (address === 'instanceId') return 'lambkin';
        return this.fail(path, `\${${ref}}: lambkin knows \${sls:stage} and \${sls:instanceId} only`);
      case 'self': return this.self(address, path);
      default: {
        const name = source || ref;
        if (!hasDefault) this.fail(path, `\${${ref}}: variables of the source '${name}' are not supported by lambkin (supported: self, env, opt:stage, opt:region, sls:stage); give a default: \${${ref}, 'value'}`);
        this.notes.add('variables', `\${${ref}}`, this.src.at(path), `source '${name}' not supported: its default was used`);
        return undefined;
      }
    }
  }

  /** The stage: --stage, else provider.stage, else dev. */
  stage(): string {
    if (this.opts.stage) return this.opts.stage;
    const given = this.at(['provider', 'stage']);
    return typeof given === 'string' && given ? given : 'dev';
  }

  private self(address: string, path: Path): Value | undefined {
    const parts = address === '' ? [] : address.split('.');
    const key = parts.join('.');
    if (this.resolving.has(key)) this.fail(path, `\${self:${address}} refers to itself`);
    this.resolving.add(key);
    try {
      return this.at(parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p)));
    } finally {
      this.resolving.delete(key);
    }
  }
}

/** `env:X, 'd'` → ['env:X', 'd']; the default unquoted; a comma inside quotes is not a separator. */
function splitDefault(expr: string): [string, Value | undefined] {
  let quote = '';
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === ',') {
      const rest = expr.slice(i + 1).trim();
      const q = /^(['"])(.*)\1$/s.exec(rest);
      if (q) return [expr.slice(0, i), q[2]!];
      if (/^-?\d+(\.\d+)?$/.test(rest)) return [expr.slice(0, i), Number(rest)];
      if (rest === 'true' || rest === 'false') return [expr.slice(0, i), rest === 'true'];
      if (rest === 'null') return [expr.slice(0, i), null];
      return [expr.slice(0, i), rest];
    }
  }
  return [expr, undefined];
}
