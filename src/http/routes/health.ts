import { z } from 'zod';
import { NotReady } from '../../shared/errors.js';
import { defineEndpoint, type Endpoint } from '../endpoint.js';

/** `GET /healthz`: the process is up. `GET /readyz`: the database answers within 2 s. */
/** Whether the database answers, and which kind it is. */
export interface Readiness {
  database: 'pglite' | 'postgres';
  ping(): Promise<void>;
}

export function healthEndpoints(deps: { readiness: Readiness }): Endpoint[] {
  return [
    defineEndpoint({
      method: 'get',
      path: '/healthz',
      summary: 'The process is up',
      tag: 'operations',
      auth: 'none',
      audited: false,
      responses: { 200: { description: 'Up', schema: z.object({ status: z.literal('ok') }) } },
      handler: () => ({ status: 'ok' }),
    }),
    defineEndpoint({
      method: 'get',
      path: '/readyz',
      summary: 'The database is reachable',
      tag: 'operations',
      auth: 'none',
      audited: false,
      responses: {
        200: { description: 'Ready', schema: z.object({ status: z.literal('ready'), database: z.enum(['pglite', 'postgres']) }) },
        503: { description: 'The database does not answer' },
      },
      handler: async () => {
        try {
          await withTimeout(deps.readiness.ping(), 2000);
        } catch (error) {
          throw new NotReady('The database is not reachable.', { cause: error });
        }
        return { status: 'ready', database: deps.readiness.database };
      },
    }),
  ];
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
