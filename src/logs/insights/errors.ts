// A query lambkin cannot compile, with where: CloudWatch Logs answers MalformedQueryException with a
// message naming the line and column and the character offsets of the offending part.

export interface SourcePos {
  /** Offset of the first character (0-based, in UTF-16 units of the query string). */
  readonly start: number;
  /** Offset after the last character. */
  readonly end: number;
  readonly line: number; // 1-based
  readonly column: number; // 1-based
}

export class MalformedQueryError extends Error {
  constructor(readonly reason: string, readonly pos: SourcePos) {
    super(`${reason} at line ${pos.line}, column ${pos.column}`);
  }
}

/** A query that compiled but could not finish (too many groups, say): its status becomes Failed. */
export class QueryFailure extends Error {}
