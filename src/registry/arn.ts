// Where lambkin says it is: the region and account that every ARN it hands out names.
// One server is one account in one region; LAMBKIN_REGION changes the region (e.g. to match a
// client's configured region), the account is fixed at twelve zeros. The region is read once, at
// import, through the settings table: every ARN in this module and its 19 users is a plain
// function of it, and one process never serves two regions.
import { regionFrom } from '../settings.js';

export const REGION: string = regionFrom(process.env);
export const ACCOUNT_ID = '000000000000';

/** arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>] */
export function functionArn(name: string, qualifier?: string): string {
  const base = `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${name}`;
  return qualifier === undefined ? base : `${base}:${qualifier}`;
}

/** The role a function gets when CreateFunction names none (lambkin has no IAM). */
export const DEFAULT_ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/lambkin`;

/** arn:aws:lambda:<region>:<account>:layer:<name>[:<version>] */
export function layerArn(name: string, version?: number): string {
  const base = `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:layer:${name}`;
  return version === undefined ? base : `${base}:${version}`;
}

/** The name and version a layer version ARN of this server names; undefined if it names none. */
export function parseLayerVersionArn(arn: string): { name: string; version: number } | undefined {
  const m = /^arn:aws[a-zA-Z-]*:lambda:([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}):(\d{12}):layer:([a-zA-Z0-9-_]+):([0-9]+)$/.exec(arn);
  if (!m || m[1] !== REGION || m[6] !== ACCOUNT_ID) return undefined;
  const version = Number(m[8]);
  return Number.isSafeInteger(version) ? { name: m[7]!, version } : undefined;
}
