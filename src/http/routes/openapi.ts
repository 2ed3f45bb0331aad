import { defineEndpoint, type Endpoint } from '../endpoint.js';
import { openApiDocument } from '../openapi.js';
import { pushedEventSchemas } from './v1-events.js';

/** `GET /openapi.json`: the description of every endpoint, this one included. */
export function openApiEndpoint(deps: { endpoints: () => readonly Endpoint[]; serverUrl: string }): Endpoint {
  let document: Record<string, unknown> | undefined;
  return defineEndpoint({
    method: 'get',
    path: '/openapi.json',
    summary: 'This API, described as OpenAPI 3.1',
    tag: 'operations',
    auth: 'none',
    audited: false,
    handler: () => (document ??= openApiDocument(deps.endpoints(), { version: '1', serverUrl: deps.serverUrl, webhooks: pushedEventSchemas() })),
  });
}
