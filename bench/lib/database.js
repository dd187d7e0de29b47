// A PostgreSQL database for one benchmark run: made on the admin URL's server before the run,
// dropped after it. LAMBKIN_BENCH_DATABASE_URL is the admin URL (a role with CREATEDB); by default
// the local one that .ci/run sets up. When that server cannot be reached, the PostgreSQL figures are
// left out with a message saying why: the rest of the benchmark runs on.
import { randomBytes } from 'node:crypto';

export const DEFAULT_ADMIN_URL = 'postgres://lambkin:lambkin@127.0.0.1:5432/postgres';

/** { name, url, redacted, stats(), drop() }, or undefined (after saying why) when PostgreSQL is not there. */
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
  // An autovacuum worker on the fresh tables cannot be ended by a role that is not a superuser
  // (42501): wait for it to finish rather than leave the database behind.
  const drop = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await onAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } catch (err) {
        if (attempt >= 30) throw err;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  /** What the database has done so far (pg_stat_database: reported by backends about once a second). */
  const stats = async () => {
    const pg = await Postgres.connect(admin, { maxConnections: 1, connectTimeoutMs: 3_000 });
    try {
      const [row] = await pg.query(`SELECT xact_commit AS commits, xact_rollback AS rollbacks, tup_inserted AS inserted, tup_updated AS updated,
        tup_deleted AS deleted, tup_fetched AS fetched FROM pg_stat_database WHERE datname = $1`, [name]);
      return row;
    } finally {
      await pg.close();
    }
  };
  return { name, url: db.url, redacted: db.redacted, stats, drop };
}
