// What every command needs from the global options: where the server is, and a client for it.
import type { Command } from 'commander';
import { DEFAULT_ENDPOINT, LambkinClient } from '../client/index.js';
import { SETTINGS } from '../settings.js';
import { UsageError } from './output.js';

/**
 * LAMBKIN_ENDPOINT wins (commander applies it to --endpoint); otherwise LAMBKIN_HOST/LAMBKIN_PORT,
 * the server's own settings, name where it listens. A wildcard bind address is reached on loopback.
 */
export function defaultEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  const { host: hostSetting, port: portSetting } = SETTINGS;
  if (!env[hostSetting.env] && !env[portSetting.env]) return DEFAULT_ENDPOINT;
  let host = env[hostSetting.env] || hostSetting.default;
  if (host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::' || host === '[::]') host = '::1';
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
  return `http://${host}:${env[portSetting.env] || portSetting.default}`;
}

/** The server URL; `localhost:9000` is taken to mean http://localhost:9000. */
export function endpointOf(cmd: Command): string {
  const given = cmd.optsWithGlobals<{ endpoint?: string }>().endpoint;
  if (!given) return defaultEndpoint(); // unset, or LAMBKIN_ENDPOINT set empty
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(given) ? given : `http://${given}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`--endpoint ${given} is not a URL (e.g. http://127.0.0.1:9000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--endpoint ${given}: only http:// and https:// are supported`);
  }
  return url.href.replace(/\/+$/, '');
}

export function clientFor(cmd: Command): LambkinClient {
  return new LambkinClient({ endpoint: endpointOf(cmd) });
}
