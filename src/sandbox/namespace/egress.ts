// Where an environment's packets may go (isolated network). Its only way out is slirp4netns, which
// makes the connections from the host — so without a filter a function reaches everything the
// host reaches: the LAN, the cloud's metadata endpoint (169.254.169.254), the host's own services.
// The filter is an nftables table in the sandbox's own network namespace, put there by the server
// (nsenter) before the runtime runs. The function cannot change it: it has no capabilities, in
// that namespace or any other (and seccomp refuses new namespaces).
//   public (default): the internet; not private, shared, link-local, loopback, multicast or
//                     reserved ranges, nor any address of the host itself
//   all:              everything slirp4netns reaches (but never the host's loopback: slirp refuses it)
//   none:             nothing
// plus an allow-list of IPv4 CIDRs reachable whatever the mode. DNS through slirp's forwarder
// (10.0.2.3:53) is allowed under public and all; under none only when the allow-list has it.
// The policy itself, and the parser of its CIDRs, are src/egress.ts: what api/ accepts is what is enforced here.
import { networkInterfaces } from 'node:os';
import type { EgressPolicy } from '../../egress.js';
import { spawnChild } from '../child.js';


/** Not "the internet": RFC 6890's special-purpose ranges a function has no business reaching. */
export const PRIVATE_V4 = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
  '192.0.0.0/24', '192.168.0.0/16', '198.18.0.0/15', '224.0.0.0/4', '240.0.0.0/4',
];
export const PRIVATE_V6 = ['::/127', '::ffff:0:0/96', '64:ff9b::/96', 'fc00::/7', 'fe80::/10', 'ff00::/8'];
/** slirp4netns's DNS forwarder, as the sandbox sees it. */
const SLIRP_DNS = '10.0.2.3';
const TABLE = 'inet lambkin_egress';


/** Does the policy need a filter at all? (`all` without anything else does not.) */
export const needsRules = (p: EgressPolicy): boolean => p.mode !== 'all';

/** Do the two make the same filter? (`all` makes none, whatever its allow-list.) */
export const samePolicy = (a: EgressPolicy, b: EgressPolicy): boolean =>
  (!needsRules(a) && !needsRules(b)) ||
  (a.mode === b.mode && a.allow.length === b.allow.length && a.allow.every((c, i) => c === b.allow[i]));

/** The host's own addresses (every interface but loopback, which the private ranges cover). */
export function hostAddresses(): { v4: string[]; v6: string[] } {
  const all = Object.values(networkInterfaces()).flat().filter((i) => i !== undefined && !i.internal);
  return {
    v4: [...new Set(all.filter((i) => i!.family === 'IPv4').map((i) => i!.address))],
    v6: [...new Set(all.filter((i) => i!.family === 'IPv6').map((i) => i!.address.replace(/%.*$/, '')))],
  };
}

/** The nft script: replaces the table in one transaction (an `all` policy leaves no table). */
export function egressRuleset(p: EgressPolicy, host = hostAddresses()): string {
  const lines = [`table ${TABLE} {}`, `delete table ${TABLE}`];
  if (!needsRules(p)) return lines.join('\n') + '\n';
  const set = (items: readonly string[]) => `{ ${items.join(', ')} }`;
  // Refused, not dropped: the function's connect() fails at once (EHOSTUNREACH) instead of
  // waiting out TCP's retries, and says it was not let through.
  const refuse = 'reject with icmpx type admin-prohibited';
  lines.push(`table ${TABLE} {`, '  chain out {', '    type filter hook output priority 0; policy accept;');
  lines.push('    oifname "lo" accept');
  if (p.allow.length > 0) lines.push(`    ip daddr ${set(p.allow)} accept`);
  if (p.mode === 'public') {
    lines.push(`    ip daddr ${SLIRP_DNS} meta l4proto { tcp, udp } th dport 53 accept`);
    lines.push(`    ip daddr ${set([...PRIVATE_V4, ...host.v4])} ${refuse}`);
    lines.push(`    ip6 daddr ${set([...PRIVATE_V6, ...host.v6])} ${refuse}`);
  } else {
    lines.push(`    ${refuse}`);
  }
  lines.push('  }', '}');
  return lines.join('\n') + '\n';
}

export interface EgressTools {
  readonly nsenter: string;
  readonly nft: string;
}

/** Put the policy's table into the network namespace of `pid` (the sandbox's); the server must be root. */
export function applyEgress(tools: EgressTools, pid: number, p: EgressPolicy): Promise<void> {
  const args = [`--net=/proc/${pid}/ns/net`, '--', tools.nft, '-f', '-'];
  return new Promise((resolve, reject) => {
    const child = spawnChild('the egress filter', tools.nsenter, args, { stdio: ['pipe', 'ignore', 'pipe'], env: {} });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString().slice(0, 2000)));
    child.stdin!.on('error', () => undefined);
    child.once('error', (err) => reject(new Error(`the egress filter could not be set: ${err.message}`)));
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`the egress filter could not be set (nft: ${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
    child.stdin!.end(egressRuleset(p));
  });
}
