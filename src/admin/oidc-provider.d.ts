// oidc-provider ships no type declarations; this names only what the development identity provider uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; details: Record<string, unknown> };
    params: Record<string, unknown> & { client_id?: string; scope?: string };
    /** The provider's session the interaction started in: its account and its id (`cookie`). */
    session?: { accountId?: string; cookie?: string };
    /** Saves the interaction for the rest of its lifetime. */
    persist(): Promise<unknown>;
  }

  export interface Session {
    destroy(): Promise<void>;
  }

  export interface Grant {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    proxy: boolean;
    readonly issuer: string;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    Grant: new (input: { accountId: string; clientId: string }) => Grant;
    Session: { find(id: string): Promise<Session | undefined> };
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}
