// Where a function's environments may send packets, as lambkin keeps the policy: the registry
// stores it with the function (FunctionConfig.egress), api/ validates LambkinEgress into it with
// parseCidr below, and the namespace sandbox enforces it (sandbox/namespace/egress.ts). One
// definition and one parser, in the shared files, so that what is accepted is what is enforced.

export type EgressMode = 'public' | 'all' | 'none';
export const EGRESS_MODES: readonly EgressMode[] = ['public', 'all', 'none'];

export interface EgressPolicy {
  readonly mode: EgressMode;
  /** IPv4 CIDRs, normalised (a.b.c.d/n, host bits zero). */
  readonly allow: readonly string[];
}

export const DEFAULT_EGRESS: EgressPolicy = Object.freeze({ mode: 'public', allow: Object.freeze([]) });

/** "10.1.2.3", "10.1.2.0/24" → the normalised CIDR; undefined when it is not an IPv4 address or CIDR. */
export function parseCidr(text: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(text.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = m[5] === undefined ? 32 : Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const value = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const net = value - (value % size);
  return `${[24, 16, 8, 0].map((s) => Math.floor(net / 2 ** s) % 256).join('.')}/${bits}`;
}
