// CloudFormation's intrinsic functions, worked out on this machine: every value they can name here
// is known before the deploy (parameters, pseudo parameters, the names and ARNs lambkin will give
// the template's functions), so the template resolves to plain values. What depends on another
// stack or on AWS (Fn::ImportValue, attributes of resources lambkin does not create) is an error
// that names the line, never a guess.
import { TemplateError } from './errors.js';
import { isObject, type Path, type Source, type Value } from './source.js';

/** AWS::NoValue: the property is left out, as if the template did not have it. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');
export type Resolved = Value | typeof NO_VALUE;

export interface ResourceRef {
  readonly type: string;
  /** What !Ref gives: a function's name, a layer version's ARN, or the logical id. */
  readonly ref: string;
  /** What !GetAtt gives, by attribute name. */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface IntrinsicContext {
  readonly src: Source;
  readonly parameters: ReadonlyMap<string, Value>;
  readonly pseudo: Readonly<Record<string, Value>>;
  readonly resources: ReadonlyMap<string, ResourceRef>;
  readonly mappings: Value | undefined;
  readonly conditions: Value | undefined;
}

const MAX_DEPTH = 64;

export class Resolver {
  private readonly conditionValues = new Map<string, boolean>();
  private readonly evaluating = new Set<string>();

  constructor(private readonly ctx: IntrinsicContext) {}

  private fail(path: Path, message: string): never {
    throw new TemplateError(`${this.ctx.src.at(path)}: ${message}`);
  }

  /** The value with every intrinsic function replaced by its result. */
  resolve(v: Value, path: Path, depth = 0): Resolved {
    if (depth > MAX_DEPTH) this.fail(path, 'intrinsic functions nested too deeply');
    if (Array.isArray(v)) {
      const out: Value[] = [];
      v.forEach((item, i) => {
        const r = this.resolve(item, [...path, i], depth + 1);
        if (r !== NO_VALUE) out.push(r);
      });
      return out;
    }
    if (!isObject(v)) return v;
    const keys = Object.keys(v);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) {
      return this.call(keys[0]!, v[keys[0]!]!, [...path, keys[0]!], depth);
    }
    const out: { [k: string]: Value } = {};
    for (const k of keys) {
      const r = this.resolve(v[k]!, [...path, k], depth + 1);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }

  /** resolve(), where AWS::NoValue counts as absent. */
  value(v: Value | undefined, path: Path): Value | undefined {
    if (v === undefined) return undefined;
    const r = this.resolve(v, path);
    return r === NO_VALUE ? undefined : r;
  }

  private str(v: Value, path: Path, what: string, depth: number): string {
    const r = this.resolve(v, path, depth + 1);
    if (typeof r === 'string') return r;
    if (typeof r === 'number' || typeof r === 'boolean') return String(r);
    return this.fail(path, `${what} must be a string here`);
  }

  private list(v: Value, path: Path, what: string, depth: number): Value[] {
    const r = this.resolve(v, path, depth + 1);
    if (!Array.isArray(r)) return this.fail(path, `${what} must be a list`);
    return r;
  }

  private args(v: Value, path: Path, fn: string, count: number): Value[] {
    if (!Array.isArray(v) || v.length < count) this.fail(path, `${fn} takes a list of ${count} arguments`);
    return v;
  }

  private call(fn: string, arg: Value, path: Path, depth: number): Resolved {
    switch (fn) {
      case 'Ref': return this.ref(this.str(arg, path, 'Ref', depth), path);
      case 'Fn::GetAtt': return this.getAtt(arg, path, depth);
      case 'Fn::Sub': return this.sub(arg, path, depth);
      case 'Fn::Join': {
        const [sep, items] = this.args(arg, path, fn, 2);
        const parts = this.list(items!, [...path, 1], 'the second argument of Fn::Join', depth);
        return parts.map((p, i) => this.str(p, [...path, 1, i], 'each item of Fn::Join', depth)).join(this.str(sep!, [...path, 0], 'the delimiter', depth));
      }
      case 'Fn::Select': {
        const [index, items] = this.args(arg, path, fn, 2);
        const i = Number(this.str(index!, [...path, 0], 'the index of Fn::Select', depth));
        const list = this.list(items!, [...path, 1], 'the second argument of Fn::Select', depth);
        if (!Number.isInteger(i) || i < 0 || i >= list.length) this.fail(path, `Fn::Select index ${i} is outside the list (${list.length} items)`);
        return list[i]!;
      }
      case 'Fn::Split': {
        const [sep, text] = this.args(arg, path, fn, 2);
        return this.str(text!, [...path, 1], 'the second argument of Fn::Split', depth).split(this.str(sep!, [...path, 0], 'the delimiter', depth));
      }
      case 'Fn::If': {
        const [cond, yes, no] = this.args(arg, path, fn, 3);
        if (typeof cond !== 'string') this.fail(path, 'Fn::If takes a condition name first');
        return this.condition(cond, [...path, 0]) ? this.resolve(yes!, [...path, 1], depth + 1) : this.resolve(no!, [...path, 2], depth + 1);
      }
      case 'Fn::FindInMap': return this.findInMap(arg, path, depth);
      case 'Fn::Base64': return Buffer.from(this.str(arg, path, 'Fn::Base64', depth)).toString('base64');
      case 'Fn::GetAZs': {
        const region = String(this.ctx.pseudo['AWS::Region']);
        return ['a', 'b', 'c'].map((z) => `${region}${z}`);
      }
      case 'Fn::Length': return this.list(arg, path, 'Fn::Length', depth).length;
      case 'Fn::ToJsonString': return JSON.stringify(this.resolve(arg, path, depth + 1));
      case 'Fn::ImportValue': return this.fail(path, 'Fn::ImportValue names another stack\'s export, which cannot be known locally; use a Parameter instead');
      default: return this.fail(path, `${fn} is not supported by lambkin (supported: Ref, Fn::Sub, Fn::Join, Fn::If, Fn::FindInMap, Fn::GetAtt, Fn::Select, Fn::Split, Fn::Base64, Fn::GetAZs)`);
    }
  }

  private ref(name: string, path: Path): Resolved {
    if (name === 'AWS::NoValue') return NO_VALUE;
    const param = this.ctx.parameters.get(name);
    if (param !== undefined) return param;
    const pseudo = this.ctx.pseudo[name];
    if (pseudo !== undefined) return pseudo;
    const resource = this.ctx.resources.get(name);
    if (resource) return resource.ref;
    if (name.startsWith('AWS::')) return this.fail(path, `!Ref ${name}: lambkin does not know this pseudo parameter`);
    return this.fail(path, `!Ref ${name}: there is no parameter or resource named ${name}`);
  }

  private getAtt(arg: Value, path: Path, depth: number): Resolved {
    const parts = typeof arg === 'string' ? arg.split('.') : this.list(arg, path, 'Fn::GetAtt', depth).map((p, i) => this.str(p, [...path, i], 'Fn::GetAtt', depth));
    const [id, attr] = [parts[0] ?? '', parts.slice(1).join('.')];
    return this.attribute(id, attr, path);
  }

  private attribute(id: string, attr: string, path: Path): string {
    const resource = this.ctx.resources.get(id);
    if (!resource) return this.fail(path, `!GetAtt ${id}.${attr}: there is no resource named ${id}`);
    const value = resource.attributes[attr];
    if (value === undefined) {
      const known = Object.keys(resource.attributes);
      return this.fail(path, `!GetAtt ${id}.${attr}: cannot be known locally for ${resource.type}${known.length ? ` (known: ${known.join(', ')})` : ''}`);
    }
    return value;
  }

  private sub(arg: Value, path: Path, depth: number): string {
    let text: string;
    let vars: { [k: string]: Value } = {};
    if (Array.isArray(arg)) {
      text = this.str(arg[0] ?? '', [...path, 0], 'the text of Fn::Sub', depth);
      const given = arg[1];
      if (given !== undefined) {
        if (!isObject(given)) this.fail([...path, 1], 'the variables of Fn::Sub must be a map');
        vars = given;
      }
    } else {
      text = this.str(arg, path, 'Fn::Sub', depth);
    }
    // ${!Literal} stays as ${Literal}; ${Name} and ${Resource.Attr} are replaced.
    return text.replace(/\$\{([^}]*)\}/g, (_whole, inner: string) => {
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
      const name = inner.trim();
      if (name in vars) return this.str(vars[name]!, [...path, 1, name], `the variable ${name}`, depth);
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::')) return this.attribute(name.slice(0, dot), name.slice(dot + 1), path);
      const r = this.ref(name, path);
      if (r === NO_VALUE || typeof r === 'object') return this.fail(path, `\${${name}} in Fn::Sub is not a string`);
      return String(r);
    });
  }

  private findInMap(arg: Value, path: Path, depth: number): Resolved {
    const [m, k1, k2] = this.args(arg, path, 'Fn::FindInMap', 3).map((a, i) => (i < 3 ? this.str(a, [...path, i], 'each key of Fn::FindInMap', depth) : ''));
    const mappings = this.ctx.mappings;
    const map = isObject(mappings) ? mappings[m!] : undefined;
    if (!isObject(map)) return this.fail(path, `Fn::FindInMap: there is no mapping named ${m}`);
    const top = map[k1!];
    if (!isObject(top)) return this.fail(path, `Fn::FindInMap: mapping ${m} has no key ${k1}`);
    const value = top[k2!];
    if (value === undefined) return this.fail(path, `Fn::FindInMap: mapping ${m}.${k1} has no key ${k2}`);
    return value;
  }

  /** The value of the named condition in the Conditions section (each worked out once). */
  condition(name: string, path: Path): boolean {
    const known = this.conditionValues.get(name);
    if (known !== undefined) return known;
    const all = this.ctx.conditions;
    if (!isObject(all) || all[name] === undefined) return this.fail(path, `there is no condition named ${name} in Conditions`);
    if (this.evaluating.has(name)) return this.fail(['Conditions', name], `condition ${name} depends on itself`);
    this.evaluating.add(name);
    const value = this.truth(all[name]!, ['Conditions', name]);
    this.evaluating.delete(name);
    this.conditionValues.set(name, value);
    return value;
  }

  private truth(expr: Value, path: Path): boolean {
    if (typeof expr === 'boolean') return expr;
    if (expr === 'true' || expr === 'false') return expr === 'true';
    if (!isObject(expr) || Object.keys(expr).length !== 1) return this.fail(path, 'a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition');
    const [fn, arg] = Object.entries(expr)[0]!;
    const at = [...path, fn];
    const items = () => (Array.isArray(arg) ? arg : this.fail(at, `${fn} takes a list`));
    switch (fn) {
      case 'Condition': return this.condition(String(arg), at);
      case 'Fn::Equals': {
        const [a, b] = this.args(arg, at, fn, 2).map((x, i) => {
          const r = this.resolve(x, [...at, i]);
          return typeof r === 'object' || typeof r === 'symbol' ? JSON.stringify(r) : String(r); // CloudFormation compares "1" and 1 as equal
        });
        return a === b;
      }
      case 'Fn::Not': return !this.truth(items()[0] ?? false, [...at, 0]);
      case 'Fn::And': return items().every((x, i) => this.truth(x, [...at, i]));
      case 'Fn::Or': return items().some((x, i) => this.truth(x, [...at, i]));
      default: return this.fail(at, `${fn} cannot be used in a condition`);
    }
  }
}
