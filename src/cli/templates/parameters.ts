// A template's Parameters: each one's value is the --parameter-overrides value, else its Default;
// it is checked against its Type, AllowedValues, AllowedPattern and Min/MaxValue as CloudFormation
// checks it, and a mistake names the parameter's line.
import { TemplateError } from './errors.js';
import { isObject, type Source, type Value } from './source.js';

export function resolveParameters(src: Source, section: Value | undefined, overrides: Readonly<Record<string, string>>): Map<string, Value> {
  const out = new Map<string, Value>();
  const declared = isObject(section) ? section : {};
  for (const name of Object.keys(overrides)) {
    if (!(name in declared)) {
      const known = Object.keys(declared);
      throw new TemplateError(`${src.file}: --parameter-overrides ${name}: the template has no parameter ${name}${known.length ? ` (it has: ${known.join(', ')})` : ''}`);
    }
  }
  for (const [name, spec] of Object.entries(declared)) {
    const path = ['Parameters', name];
    function fail(message: string): never {
      throw new TemplateError(`${src.at(path)}: parameter ${name}: ${message}`);
    }
    if (!isObject(spec)) fail('must be a map with at least a Type');
    const s = spec as { [k: string]: Value };
    const type = typeof s.Type === 'string' ? s.Type : 'String';
    const given = overrides[name] ?? (s.Default === undefined || s.Default === null ? undefined : String(s.Default));
    if (given === undefined) fail('has no Default; give it with --parameter-overrides ' + `${name}=VALUE`);
    const text = given as string;
    if (Array.isArray(s.AllowedValues) && !s.AllowedValues.map(String).includes(text)) {
      fail(`'${text}' is not one of its AllowedValues (${s.AllowedValues.map(String).join(', ')})`);
    }
    if (typeof s.AllowedPattern === 'string' && !new RegExp(`^(?:${s.AllowedPattern})$`).test(text)) {
      fail(`'${text}' does not match its AllowedPattern ${s.AllowedPattern}`);
    }
    if (type === 'Number') {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) fail(`'${text}' is not a number`);
      if (s.MinValue !== undefined && n < Number(s.MinValue)) fail(`${n} is below its MinValue ${String(s.MinValue)}`);
      if (s.MaxValue !== undefined && n > Number(s.MaxValue)) fail(`${n} is above its MaxValue ${String(s.MaxValue)}`);
    }
    // !Ref of a list parameter gives a list; of anything else, the text.
    out.set(name, type === 'CommaDelimitedList' || type.startsWith('List<') ? text.split(',').map((x) => x.trim()) : text);
  }
  return out;
}
