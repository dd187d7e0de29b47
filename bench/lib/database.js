// A PostgreSQL database for one benchmark run: made on the admin URL's server before the run,
// dropped after it. LAMBKIN_BENCH_DATABASE_URL is the admin URL (a role with CREATEDB); by default
// the local one that .ci/run sets up. When that server cannot be reached, the PostgreSQL figures are
// left out with a message saying why: the rest of the benchmark runs on.
import { randomBytes } from 'node:crypto';

export const DEFAULT_ADMIN_URL = 'postgres://lambkin:lambkin@127.0.0.1:5432/postgres';

/** { url, redacted, drop() }, or undefined (after saying why) when PostgreSQL is not there. */
export async function benchDatabase(log = (m) => console.error(m)) {
  const { DatabaseUnavailable, Postgres, parseDatabaseUrl, withDatabase } = await import('../../dist/database/index.js');
  const admin = parseDatabaseUrl(process.env.LAMBKIN_BENCH_DATABASE_URL ?? DEFAULT_ADMIN_URL);
  const name = `lambkin_bench_${randomBytes(6).toString('hex')}`;
  const onAdmin = async (sql) => {
    const pg = await Postgres.connect(admin, { maxConnections: 1, connectTimeoutMs: 3_000 });
    try {
      await pg.execute(sql);
    } finally {
      await pg.close();
    }
  };
  try {
    await onAdmin(`CREATE DATABASE ${name}`); // our own hex name: no quoting needed
  } catch (err) {
    const why = err instanceof DatabaseUnavailable ? err.message : `${admin.redacted}: ${err.message}`;
    log(`bench: the lambkin pg figures are skipped: ${why}. Set LAMBKIN_BENCH_DATABASE_URL to a PostgreSQL admin URL (a role with CREATEDB) to measure them.`);
    return undefined;
  }
  const db = withDatabase(admin, name);
  return { url: db.url, redacted: db.redacted, drop: () => onAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
