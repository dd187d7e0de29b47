// The node's one connection to NATS (docs/cluster.md): made at start, where an unreachable server or
// one without JetStream stops `lambkin serve` with a message that says what to do; after that it
// reconnects by itself for as long as the node runs, and says so in the log each time it is lost and
// found again. Everything of the cluster (membership, dispatch, changes, the async stream) rides on it.
import { connect, type NatsConnection } from 'nats';
import { ConfigError, type ClusterConfig } from '../config.js';

/** Sync payloads and responses are up to 6 MB, plus the envelope: the server must carry at least this. */
export const MIN_NATS_PAYLOAD = 7 * 1024 * 1024;

export interface NatsLink {
  readonly connection: NatsConnection;
  /** false while the connection is lost (the node then answers API calls with 503 ServiceException). */
  connected(): boolean;
  /** `listener(true)` each time the connection comes back after a loss, `listener(false)` each time it is lost. */
  onStatus(listener: (up: boolean) => void): void;
  close(): Promise<void>;
}

export async function connectNats(config: ClusterConfig, nodeId: string, log: (line: string) => void): Promise<NatsLink> {
  let connection: NatsConnection;
  const where = config.natsServers.join(', ');
  try {
    connection = await connect({
      servers: [...config.natsServers], name: `lambkin ${nodeId}`,
      maxReconnectAttempts: -1, reconnectTimeWait: 250, timeout: 5000, pingInterval: 2000, maxPingOut: 2,
    });
  } catch (err) {
    throw new ConfigError(`cannot reach NATS at ${where} (${(err as Error).message}). Check that nats-server is running with JetStream on (nats-server -js) and that --nats-url / LAMBKIN_NATS_URL is right.`);
  }
  const fail = async (message: string): Promise<never> => {
    await connection.close().catch(() => {});
    throw new ConfigError(message);
  };
  if (connection.info && connection.info.max_payload < MIN_NATS_PAYLOAD) {
    await fail(`NATS at ${where} carries messages of ${connection.info.max_payload} bytes at most; a cluster needs ${MIN_NATS_PAYLOAD} (6 MB payloads): set max_payload: 8MB in the nats-server configuration file (docs/cluster.md)`);
  }
  try {
    await (await connection.jetstreamManager()).getAccountInfo();
  } catch (err) {
    await fail(`NATS at ${where} has no JetStream (${(err as Error).message}): start nats-server with -js (and a store folder, -sd)`);
  }
  let up = true;
  const listeners: ((up: boolean) => void)[] = [];
  void (async () => {
    for await (const s of connection.status()) {
      if (s.type === 'disconnect' && up) {
        up = false;
        log(`lambkin: NATS connection lost (${String(s.data)}); reconnecting — API calls answer 503 until it is back`);
        for (const l of listeners) l(false);
      } else if (s.type === 'reconnect') {
        up = true;
        log(`lambkin: NATS connection back (${String(s.data)})`);
        for (const l of listeners) l(true);
      }
    }
  })();
  return {
    connection,
    connected: () => up && !connection.isClosed(),
    onStatus: (listener) => void listeners.push(listener),
    close: async () => {
      if (!connection.isClosed()) await connection.drain().catch(() => connection.close());
    },
  };
}
