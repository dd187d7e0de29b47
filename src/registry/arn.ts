// Where lambkin says it is: the region and account that every ARN it hands out names.
// One server is one account in one region; LAMBKIN_REGION changes the region (e.g. to match a
// client's configured region), the account is fixed at twelve zeros. The region is read once, at
// start, with the rest of the settings (config.ts), and comes here as the Registry's `arns`: the
// names of the registry's things are the registry's to give.
import { SETTINGS } from '../settings.js';

export const ACCOUNT_ID = '000000000000';

/** The role a function gets when CreateFunction names none (lambkin has no IAM). */
export const DEFAULT_ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/lambkin`;

/** The ARNs of a server in `region` (LAMBKIN_REGION; its default where none is given, as in tests). */
export class Arns {
  constructor(readonly region: string = SETTINGS.region.default) {}

  /** arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>] */
  functionArn(name: string, qualifier?: string): string {
    const base = `arn:aws:lambda:${this.region}:${ACCOUNT_ID}:function:${name}`;
    return qualifier === undefined ? base : `${base}:${qualifier}`;
  }

  /** arn:aws:lambda:<region>:<account>:layer:<name>[:<version>] */
  layerArn(name: string, version?: number): string {
    const base = `arn:aws:lambda:${this.region}:${ACCOUNT_ID}:layer:${name}`;
    return version === undefined ? base : `${base}:${version}`;
  }

  /** The name and version a layer version ARN of this server names; undefined if it names none. */
  parseLayerVersionArn(arn: string): { name: string; version: number } | undefined {
    const m = /^arn:aws[a-zA-Z-]*:lambda:([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}):(\d{12}):layer:([a-zA-Z0-9-_]+):([0-9]+)$/.exec(arn);
    if (!m || m[1] !== this.region || m[6] !== ACCOUNT_ID) return undefined;
    const version = Number(m[8]);
    return Number.isSafeInteger(version) ? { name: m[7]!, version } : undefined;
  }

  /** arn:aws:logs:<region>:<account>:log-group:<name> */
  logGroupArn(name: string): string {
    return `arn:aws:logs:${this.region}:${ACCOUNT_ID}:log-group:${name}`;
  }
}
