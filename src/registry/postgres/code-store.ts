// Code packages in PostgreSQL: each zip once (bytea, keyed by its sha256), so that any machine on
// the same database can run any function. Each machine unpacks into its own local cache (a
// LocalCodeStore in its data folder) on upload or, for code another machine uploaded, when first
// needed (ensureLocal). A zip is in the database before put() resolves, hence before the registry
// writes a row that refers to it.
//
// Collection: the local cache follows the registry's `keep` at once; in the database, a package
// that no function or version row refers to is deleted once it is older than GRACE (an upload
// under way on another node has not written its row yet).
import { createHash } from 'node:crypto';
import { migratePostgres, type Postgres } from '../../database/index.js';
import type { CodeStore, StoredCode } from '../code-store.js';
import type { LocalCodeStore } from '../local/code-store.js';
import { REGISTRY_POSTGRES } from './schema.js';

const GRACE = '1 hour';

export class PostgresCodeStore implements CodeStore {
  readonly where: string;
  private sweeping = false;

  private constructor(private readonly db: Postgres, private readonly cache: LocalCodeStore, private readonly log: (line: string) => void) {
    this.where = db.url.redacted;
  }

  static async open(db: Postgres, cache: LocalCodeStore, log: (line: string) => void = () => {}): Promise<PostgresCodeStore> {
    await migratePostgres(db, REGISTRY_POSTGRES); // the table is part of the registry's schema
    return new PostgresCodeStore(db, cache, log);
  }

  async put(zip: Buffer): Promise<StoredCode> {
    const stored = await this.cache.put(zip); // validates and unpacks here first: a bad zip never reaches the database
    const [known] = await this.db.query('SELECT 1 FROM code_packages WHERE sha256 = $1', [stored.sha256]);
    if (!known) {
      // ON CONFLICT: another node stored the same bytes meanwhile; theirs is as good.
      await this.db.execute('INSERT INTO code_packages (sha256, size, zip) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING',
        [stored.sha256, stored.size, zip]);
    } else {
      // Uploaded again: the grace period starts again too.
      await this.db.execute('UPDATE code_packages SET created_at = now() WHERE sha256 = $1', [stored.sha256]);
    }
    return stored;
  }

  check(zip: Buffer): Promise<void> {
    return this.cache.check(zip);
  }

  dirPath(sha256: string): string {
    return this.cache.dirPath(sha256);
  }

  async zip(sha256: string): Promise<Buffer | undefined> {
    const [row] = await this.db.query<{ zip: Buffer }>('SELECT zip FROM code_packages WHERE sha256 = $1', [sha256]);
    return row?.zip ?? (await this.cache.zip(sha256));
  }

  async ensureLocal(sha256: string): Promise<boolean> {
    if (await this.cache.ensureLocal(sha256)) return true;
    const zip = await this.zip(sha256);
    if (!zip || createHash('sha256').update(zip).digest('hex') !== sha256) return false;
    await this.cache.put(zip);
    return true;
  }

  collect(keep: ReadonlySet<string>): Promise<void> {
    return this.cache.collect(keep);
  }

  discard(keep: ReadonlySet<string>): string[] {
    const removed = this.cache.discard(keep);
    if (!this.sweeping) {
      this.sweeping = true;
      void this.sweep(keep).catch((err: unknown) => this.log(`lambkin: removing unused code from ${this.where} failed: ${(err as Error).message}`))
        .finally(() => (this.sweeping = false));
    }
    return removed;
  }

  /** Delete packages no row refers to (on any node), older than the grace period, not in `keep`. */
  async sweep(keep: ReadonlySet<string>, grace: string = GRACE): Promise<number> {
    return this.db.execute(
      `DELETE FROM code_packages c
        WHERE c.created_at < now() - $2::interval
          AND NOT (c.sha256 = ANY($1::text[]))
          AND NOT EXISTS (SELECT 1 FROM functions f WHERE f.code_sha256 = c.sha256)
          AND NOT EXISTS (SELECT 1 FROM versions v WHERE v.code_sha256 = c.sha256)`,
      [[...keep], grace]);
  }
}
