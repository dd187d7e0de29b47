// Schema migrations for lambkin's SQLite files: each entry moves a database one version up, and
// PRAGMA user_version records how far it is. Shared by the registry and the log store.
import type Database from 'better-sqlite3';

export function migrate(db: Database.Database, path: string, migrations: readonly string[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    db.close();
    throw new Error(`${path} has schema version ${current}; this lambkin knows up to ${migrations.length}`);
  }
  db.transaction(() => {
    for (let v = current; v < migrations.length; v++) db.exec(migrations[v] as string);
    db.pragma(`user_version = ${migrations.length}`);
  })();
}
