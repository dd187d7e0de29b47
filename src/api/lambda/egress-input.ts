// LambkinEgress, the lambkin extension that says where a function's environments may send packets
// (src/egress.ts; the namespace sandbox enforces it): { Mode: public | all | none, Allow: [IPv4 CIDR] }.
// The object replaces the function's policy as a whole; a member left out takes its default.
import { apiError } from '../../errors.js';
import type { EgressConfig } from '../../registry/types.js';
import type { EgressWire } from '../../wire.js';
import { parseCidr } from '../../egress.js';


export function egressInput(wire: EgressWire): EgressConfig {
  const allow = (wire.Allow ?? []).map((text) => {
    const cidr = parseCidr(text);
    if (!cidr) {
      throw apiError('InvalidParameterValueException',
        `LambkinEgress.Allow: '${text}' is not an IPv4 address or CIDR (like 10.0.0.5 or 10.0.0.0/24); environments have no IPv6 egress.`);
    }
    return cidr;
  });
  return { mode: wire.Mode ?? 'public', allow: [...new Set(allow)] };
}

/** The configuration's LambkinEgress: present only when it differs from the default (public, no allow-list). */
export function egressOutput(c: EgressConfig | undefined): { LambkinEgress?: { Mode: EgressConfig['mode']; Allow: string[] } } {
  if (!c || (c.mode === 'public' && c.allow.length === 0)) return {};
  return { LambkinEgress: { Mode: c.mode, Allow: [...c.allow] } };
}
