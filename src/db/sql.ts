/**
 * Raw SQL beside Prisma, for what Prisma cannot say well: migrations (multi-statement scripts),
 * advisory locks, claim/compare-and-set statements and the one-query token read.
 */
export interface SqlRunner {
  /**
   * One parameterised statement ($1, $2 …); returns its rows. With `prepareAs`, Postgres parses and
   * plans it once per connection and reuses the plan (hot paths); the name must stand for one text.
   */
  query<Row = Record<string, unknown>>(text: string, params?: unknown[], options?: { prepareAs?: string }): Promise<Row[]>;
  /** A script of several statements, no parameters. */
  exec(script: string): Promise<void>;
}

export interface SqlClient extends SqlRunner {
  /** Runs `work` on one dedicated connection (session-level locks hold across its statements). */
  session<T>(work: (session: SqlRunner) => Promise<T>): Promise<T>;
  /** Runs `work` in a transaction on one connection; commits if it resolves, rolls back if it throws. */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
}
