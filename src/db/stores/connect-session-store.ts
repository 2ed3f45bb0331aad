import type { Database } from '../database.js';

/** A connect link as stored: the token itself is never kept, only its SHA-256. */
export interface ConnectSessionRecord {
  id: string;
  merchantRef: string;
  returnUrl: string | null;
  apiClientId: string | null;
  /** The API client's name, for the page ("which app"); null for sessions the service made itself. */
  apiClientName: string | null;
  /** The TikTok Shop app to connect with; null: the merchant chooses their market on the page. */
  app: string | null;
  /** The connection being re-authorized, or the one the session completed with. */
  connectionId: string | null;
  expiresAt: Date;
  completedAt: Date | null;
  createdAt: Date;
}

export interface NewConnectSession {
  tokenHash: string;
  merchantRef: string;
  returnUrl: string | null;
  apiClientId: string | null;
  app: string | null;
  connectionId: string | null;
  expiresAt: Date;
  createdAt: Date;
}

export interface ConnectSessionStore {
  insert(session: NewConnectSession): Promise<ConnectSessionRecord>;
  findByTokenHash(tokenHash: string): Promise<ConnectSessionRecord | undefined>;
  findById(id: string): Promise<ConnectSessionRecord | undefined>;
  /** Marks the session used, once: false when it was already completed. */
  complete(id: string, connectionId: string, at: Date): Promise<boolean>;
  /** Deletes sessions that expired before `before`; answers how many. */
}

export function createConnectSessionStore(db: Database): ConnectSessionStore {
  const { prisma } = db;
  type Row = NonNullable<Awaited<ReturnType<typeof prisma.connectSession.findUnique>>>;
  const toRecord = async (row: Row | null): Promise<ConnectSessionRecord | undefined> => {
    if (!row) return undefined;
    const client = row.apiClientId
      ? await prisma.apiClient.findUnique({ where: { id: row.apiClientId }, select: { name: true } })
      : null;
    return {
      id: row.id,
      merchantRef: row.merchantRef,
      returnUrl: row.returnUrl,
      apiClientId: row.apiClientId,
      apiClientName: client?.name ?? null,
      app: row.app,
      connectionId: row.connectionId,
      expiresAt: row.expiresAt,
      completedAt: row.completedAt,
      createdAt: row.createdAt,
    };
  };
  return {
    async insert(session) {
      const row = await prisma.connectSession.create({ data: session });
      return (await toRecord(row))!;
    },
    async findByTokenHash(tokenHash) {
      return toRecord(await prisma.connectSession.findUnique({ where: { tokenHash } }));
    },
    async findById(id) {
      return toRecord(await prisma.connectSession.findUnique({ where: { id } }));
    },
    async complete(id, connectionId, at) {
      const { count } = await prisma.connectSession.updateMany({
        where: { id, completedAt: null },
        data: { completedAt: at, connectionId },
      });
      return count === 1;
    },
  };
}
