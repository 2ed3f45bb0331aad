/** What an API client may do (interface.md "API client scopes"). */
export const apiScopes = ['connect', 'connections:read', 'tokens:read', 'sign', 'proxy', 'webhooks:manage'] as const;
export type ApiScope = (typeof apiScopes)[number];

export function isApiScope(value: string): value is ApiScope {
  return (apiScopes as readonly string[]).includes(value);
}
