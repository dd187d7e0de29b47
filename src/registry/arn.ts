// Where lambkin says it is: the region and account that every ARN it hands out names.
// One server is one account in one region; LAMBKIN_REGION changes the region (e.g. to match a
// client's configured region), the account is fixed at twelve zeros.

export const REGION: string = process.env.LAMBKIN_REGION || 'us-east-1';
export const ACCOUNT_ID = '000000000000';

/** arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>] */
export function functionArn(name: string, qualifier?: string): string {
  const base = `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${name}`;
  return qualifier === undefined ? base : `${base}:${qualifier}`;
}

/** The role a function gets when CreateFunction names none (lambkin has no IAM). */
export const DEFAULT_ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/lambkin`;
