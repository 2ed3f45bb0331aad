/**
 * What apps/ needs from the services to its right (refresh, connections), as narrow structural
 * types: main.ts passes the real services, which satisfy them.
 */

export interface FreshToken {
  connectionId: string;
  accessToken: string;
  accessTokenExpiresAt: Date;
  grantedScopes: string[];
}

export interface TokenRefresher {
  /** Returns a usable access token, refreshing first when due (or always with `force`). */
  ensureFresh(connectionId: string, options?: { force?: boolean }): Promise<FreshToken>;
}

export interface ScopeProblems {
  recordScopeMissing(input: {
    connectionId: string;
    apiPath: string;
    scopeKeys: string[];
    tiktokCode: number | null;
    tiktokMessage: string | null;
  }): Promise<unknown>;
  resolve(connectionId: string, apiPath: string, resolution: string): Promise<unknown>;
}

/** Who is calling, for the audit trail. */
export interface CallContext {
  clientId: string;
  requestId: string;
}
