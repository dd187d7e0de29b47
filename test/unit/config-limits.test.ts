// The main listener's limits in the server configuration: flags win over LAMBKIN_* variables,
// which win over the defaults; out-of-range values are refused with what is allowed.
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultMaxConnections, resolveConfig } from '../../src/config.js';

describe('connection and request-body limits', () => {
  it('defaults: 2048 connections (or half the fd limit), 256 MB of bodies, 20 s for headers, 300 s for a request', () => {
    const c = resolveConfig({}, {});
    expect(c.maxConnections).toBe(defaultMaxConnections());
    expect(c.maxConnections).toBeLessThanOrEqual(2048);
    expect(c.maxRequestBufferBytes).toBe(256 * 1024 * 1024);
    expect(c.headersTimeoutMs).toBe(20_000);
    expect(c.requestTimeoutMs).toBe(300_000);
  });

  it('takes LAMBKIN_MAX_CONNECTIONS and LAMBKIN_MAX_REQUEST_BUFFER_MB, and the flags over them', () => {
    const env = { LAMBKIN_MAX_CONNECTIONS: '100', LAMBKIN_MAX_REQUEST_BUFFER_MB: '64', LAMBKIN_HEADERS_TIMEOUT_MS: '1500' };
    expect(resolveConfig({}, env)).toMatchObject({ maxConnections: 100, maxRequestBufferBytes: 64 * 1024 * 1024, headersTimeoutMs: 1500 });
    expect(resolveConfig({ maxConnections: '300', maxRequestBuffer: '32' }, env)).toMatchObject({ maxConnections: 300, maxRequestBufferBytes: 32 * 1024 * 1024 });
  });

  it('refuses values out of range, saying which', () => {
    expect(() => resolveConfig({ maxConnections: '5' }, {})).toThrow(ConfigError);
    expect(() => resolveConfig({ maxConnections: '5' }, {})).toThrow(/--max-connections \/ LAMBKIN_MAX_CONNECTIONS must be a whole number from 16/);
    expect(() => resolveConfig({ maxRequestBuffer: 'lots' }, {})).toThrow(/--max-request-buffer/);
  });
});
