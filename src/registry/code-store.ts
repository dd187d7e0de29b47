// CodeStore: function code packages by CodeSha256. A zip is put once and shared by every version
// (of every function) with that hash; it is unpacked into a local folder that sandboxes show at
// /var/task. Which hashes are in use is the registry's business (and the running environments'):
// the store removes only what it is told is unreferenced. Two implementations pass one
// conformance suite (test/conformance/code-store-cases.ts): local/ (files in the data folder, the
// default) and postgres/ (zips in the database, so that every machine on it can run the code,
// unpacked into each machine's own local cache).

export interface StoredCode {
  readonly sha256: string; // lowercase hex
  readonly size: number;
  /** The unpacked code on this machine. */
  readonly dir: string;
}

export interface CodeStore {
  /** Where the zips are, for messages (a path, or a URL with its password hidden). */
  readonly where: string;
  /** Validate, store durably and unpack `zip`; resolves once all of it is in place. */
  put(zip: Buffer): Promise<StoredCode>;
  /** Validate `zip` as put() would, storing nothing (UpdateFunctionCode DryRun). */
  check(zip: Buffer): Promise<void>;
  /** Where `sha256` is (or would be) unpacked on this machine. */
  dirPath(sha256: string): string;
  /** The stored zip (GetFunction's Code.Location), undefined if there is none. */
  zip(sha256: string): Promise<Buffer | undefined>;
  /** Unpack `sha256` here from its stored zip if its folder is missing; false if it cannot be. */
  ensureLocal(sha256: string): Promise<boolean>;
  /** At open: remove leftovers of interrupted puts and local copies of every hash not in `keep`. */
  collect(keep: ReadonlySet<string>): Promise<void>;
  /**
   * While running: remove every hash not in `keep` and not being put; answers the hashes removed
   * from this machine. Synchronous where it matters (the local folders); a shared store may
   * finish its part in the background.
   */
  discard(keep: ReadonlySet<string>): string[];
}
