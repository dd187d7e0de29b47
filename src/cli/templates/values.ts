// Small checks shared by the SAM and Serverless readers: numbers in range, environment maps,
// the file name inline code gets, and this machine's architecture.
import { TemplateError } from './errors.js';
import { isObject, type Path, type Source, type Value } from './source.js';

/** What !Ref of a layer resource gives until it is published (its ARN is known only then). */
export const LAYER_TOKEN = '\u0000lambkin-layer:';

export function hostArchitecture(): string {
  return process.arch === 'arm64' ? 'arm64' : 'x86_64';
}

/** The file CloudFormation writes inline code to (Code.ZipFile / InlineCode): index.js, index.py. */
export function inlineFileName(runtime: string): string | undefined {
  if (runtime.startsWith('nodejs')) return 'index.js';
  if (runtime.startsWith('python')) return 'index.py';
  if (runtime.startsWith('ruby')) return 'index.rb';
  return undefined;
}

export function checkNumber(v: Value | undefined, path: Path, src: Source, what: string, min: number, max: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new TemplateError(`${src.at(path)}: ${what} ${JSON.stringify(v)} must be a whole number from ${min} to ${max}`);
  }
  return n;
}

const ENV_KEY = /^[a-zA-Z]([a-zA-Z0-9_])+$/;

/** Environment variables as strings (numbers and booleans written as YAML become text). */
export function envMap(v: Value | undefined, path: Path, src: Source, owner: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new TemplateError(`${src.at(path)}: ${owner}: environment variables must be a map`);
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v)) {
    const at = src.at([...path, k]);
    if (!ENV_KEY.test(k)) throw new TemplateError(`${at}: ${owner}: environment variable name '${k}' must be a letter followed by letters, digits or _`);
    if (typeof value === 'object' && value !== null) throw new TemplateError(`${at}: ${owner}: environment variable ${k} must be a string, not a list or map`);
    const text = value === null ? '' : String(value);
    if (text.includes(LAYER_TOKEN)) throw new TemplateError(`${at}: ${owner}: ${k}: a layer's ARN is known only once it is published; it cannot go in an environment variable`);
    out[k] = text;
  }
  return out;
}
