// The egress policy's pieces: CIDR parsing, the nft script for each mode (checked by nft itself in
// a throwaway network namespace), and what the API echoes. Its effect from inside real sandboxes
// is in test/security/egress.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCidr, type EgressPolicy } from '../../src/egress.js';
import { egressRuleset, PRIVATE_V4 } from '../../src/sandbox/namespace/egress.js';
import { egressInput, egressOutput } from '../../src/api/lambda/egress-input.js';
import { which } from '../../src/sandbox/namespace/probe.js';

const HOST = { v4: ['192.0.2.2'], v6: ['fd00::2'] };

describe('egress policy', () => {
  it('parses IPv4 addresses and CIDRs, normalised; refuses anything else', () => {
    expect(parseCidr('10.213.4.2')).toBe('10.213.4.2/32');
    expect(parseCidr(' 10.213.4.7/30 ')).toBe('10.213.4.4/30');
    expect(parseCidr('0.0.0.0/0')).toBe('0.0.0.0/0');
    for (const bad of ['10.0.0.0/33', '256.1.1.1', '10.0.0', 'fc00::/7', 'example.com', '10.0.0.1/', '']) expect(parseCidr(bad)).toBeUndefined();
  });

  it('public: refuses private, link-local (metadata), CGNAT and the host\'s own addresses; DNS through slirp passes', () => {
    const rules = egressRuleset({ mode: 'public', allow: [] }, HOST);
    for (const range of ['169.254.0.0/16', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '192.0.2.2', 'fc00::/7', 'fe80::/10', 'fd00::2']) {
      expect(rules).toContain(range);
    }
    expect(rules).toMatch(/ip daddr 10\.0\.2\.3 .*dport 53 accept/);
    expect(PRIVATE_V4).not.toContain('203.0.113.0/24');
  });

  it('all: no table; none: everything refused but the allow-list (no DNS unless listed)', () => {
    expect(egressRuleset({ mode: 'all', allow: [] }, HOST)).not.toContain('chain');
    const none = egressRuleset({ mode: 'none', allow: ['10.1.2.3/32'] }, HOST);
    expect(none).toContain('ip daddr { 10.1.2.3/32 } accept');
    expect(none).not.toContain('dport 53');
    expect(none.trim().split('\n').at(-3)).toMatch(/^\s+reject/);
  });

  it.runIf(which('nft') !== undefined && process.getuid?.() === 0)('every mode is a script nft accepts, in one transaction', () => {
    const policies: EgressPolicy[] = [
      { mode: 'public', allow: [] }, { mode: 'public', allow: ['10.213.0.2/32', '192.168.0.0/16'] },
      { mode: 'all', allow: [] }, { mode: 'none', allow: [] }, { mode: 'none', allow: ['10.0.2.3/32'] },
    ];
    for (const p of policies) {
      // Applied twice in a fresh namespace: the script replaces a table as well as it creates one.
      const dir = mkdtempSync(join(tmpdir(), 'lambkin-egress-'));
      const file = join(dir, 'rules.nft');
      writeFileSync(file, egressRuleset(p, HOST));
      let out: string;
      try {
        out = execFileSync('unshare', ['-n', 'sh', '-c', 'nft -f "$1" && nft -f "$1" && nft list ruleset', '-', file]).toString();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      if (p.mode === 'all') expect(out.trim()).toBe('');
      else expect(out).toContain('table inet lambkin_egress');
    }
  });

  it('the API takes LambkinEgress as a whole and echoes it only when it is not the default', () => {
    expect(egressInput({})).toEqual({ mode: 'public', allow: [] });
    expect(egressInput({ Mode: 'none', Allow: ['10.0.0.9', '10.0.0.9/32'] })).toEqual({ mode: 'none', allow: ['10.0.0.9/32'] });
    expect(() => egressInput({ Allow: ['10.0.0.0/8', 'nope'] })).toThrow(/'nope' is not an IPv4 address or CIDR/);
    expect(egressOutput(undefined)).toEqual({});
    expect(egressOutput({ mode: 'public', allow: [] })).toEqual({});
    expect(egressOutput({ mode: 'all', allow: [] })).toEqual({ LambkinEgress: { Mode: 'all', Allow: [] } });
  });
});
