// Request ids: shaped as Lambda's (a version-4 UUID), ordered by time so that the log store's
// request index grows at its end (src/request-id.ts says why).
import { describe, expect, it } from 'vitest';
import { newRequestId } from '../../src/request-id.js';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newRequestId', () => {
  it('is a version-4 UUID with the RFC 4122 variant', () => {
    for (let i = 0; i < 2000; i++) expect(newRequestId()).toMatch(V4);
  });

  it('sorts by the millisecond it was made in', () => {
    const t = Date.UTC(2026, 10, 27, 12, 0, 0);
    const ids = [0, 1, 2, 1000, 60_000, 86_400_000].map((d) => newRequestId(t + d));
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]!.replaceAll('-', '').slice(0, 12)).toBe(t.toString(16).padStart(12, '0'));
  });

  it('does not repeat within a millisecond', () => {
    const now = Date.now();
    const ids = new Set(Array.from({ length: 100_000 }, () => newRequestId(now)));
    expect(ids.size).toBe(100_000);
  });
});
