import { z } from 'zod';
import type { Endpoint } from './endpoint.js';
import { errorBodySchema } from './routes/v1-schemas.js';

type JsonObject = Record<string, unknown>;

/**
 * OpenAPI 3.1 for every endpoint, generated from the same zod schemas that validate requests
 * (`z.toJSONSchema`): path parameters, query, JSON body, responses, the API-key security schemes
 * and the shared error shape.
 */
export function openApiDocument(endpoints: readonly Endpoint[], info: { version: string; serverUrl: string; webhooks?: Record<string, z.ZodType> }): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const endpoint of endpoints) {
    const path = endpoint.path.replace(/:(\w+)/g, '{$1}').replace(/\*(\w+)/g, '{$1}');
    const operation: JsonObject = {
      summary: endpoint.summary,
      tags: [endpoint.tag],
      operationId: `${endpoint.method}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      'x-audited': endpoint.audited,
      ...(endpoint.scope ? { 'x-required-scope': endpoint.scope, description: `Requires an API key with the \`${endpoint.scope}\` scope.` } : {}),
      ...(endpoint.auth === 'api-key' ? { security: [{ apiKeyHeader: [] }, { bearerKey: [] }] } : { security: [] }),
      parameters: [...parameters(endpoint, 'path'), ...parameters(endpoint, 'query')],
      responses: responses(endpoint),
    };
    const body = endpoint.request?.body;
    if (body) operation.requestBody = { required: !body.safeParse(undefined).success, content: { 'application/json': { schema: schemaOf(body, 'input') } } };
    if (body && endpoint.multipart) {
      (operation.requestBody as { content: JsonObject }).content['multipart/form-data'] = { schema: { type: 'string', format: 'binary', description: endpoint.multipart } };
    }
    (paths[path] ??= {})[endpoint.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'TikTok Shop Connect', version: info.version, description: 'Internal API: tokens, signing and a signed proxy for connected TikTok Shops.' },
    servers: [{ url: info.serverUrl }],
    paths,
    ...(info.webhooks ? { webhooks: webhookOperations(info.webhooks) } : {}),
    components: {
      securitySchemes: {
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        bearerKey: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <key>' },
      },
      schemas: { Error: schemaOf(errorBodySchema, 'output') },
    },
  };
}

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any', reused: 'inline' }) as JsonObject;
  return json;
}

function parameters(endpoint: Endpoint, where: 'path' | 'query'): JsonObject[] {
  const schema = where === 'path' ? endpoint.request?.params : endpoint.request?.query;
  if (!schema) return [];
  const json = schemaOf(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: property,
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
  }));
}

function responses(endpoint: Endpoint): JsonObject {
  const result: JsonObject = {};
  for (const [status, response] of Object.entries(endpoint.responses ?? { [endpoint.status ?? 200]: { description: 'OK' } })) {
    const isError = Number(status) >= 400;
    const headers = endpoint.auth === 'api-key' ? limitHeaders(Number(status)) : undefined;
    result[status] = {
      description: response.description,
      ...(headers ? { headers } : {}),
      ...(response.schema || isError
        ? { content: { 'application/json': { schema: isError ? { $ref: '#/components/schemas/Error' } : schemaOf(response.schema!, 'output') } } }
        : {}),
    };
  }
  if (!('500' in result)) result['500'] = { description: 'internal_error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  return result;
}

const header = (description: string): JsonObject => ({ description, schema: { type: 'integer' } });
const rateLimitHeaders = {
  'X-RateLimit-Limit': header('Requests this key may make per minute'),
  'X-RateLimit-Remaining': header('Requests left in the current minute'),
  'X-RateLimit-Reset': header('Unix seconds when the current minute window ends'),
};

/** What an API-key answer says about the key's limits: on success, and on every 429. */
function limitHeaders(status: number): JsonObject | undefined {
  if (status >= 200 && status < 300) return rateLimitHeaders;
  if (status !== 429) return undefined;
  return {
    'Retry-After': header('Seconds to wait before retrying'),
    ...rateLimitHeaders,
    'X-Quota-Limit': header('quota_exhausted only: requests this key may make per UTC day'),
    'X-Quota-Remaining': header('quota_exhausted only: 0'),
    'X-Quota-Reset': header('quota_exhausted only: Unix seconds when the UTC day ends'),
  };
}

/**
 * The events pushed to webhook subscriptions, one per type: a POST of the event as JSON, signed per
 * Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`); any 2xx acknowledges it.
 */
function webhookOperations(schemas: Record<string, z.ZodType>): JsonObject {
  const header = (name: string, description: string) => ({ name, in: 'header', required: true, schema: { type: 'string' }, description });
  return Object.fromEntries(
    Object.entries(schemas).map(([type, schema]) => [
      type,
      {
        post: {
          summary: schema.description ?? type,
          operationId: `push${type.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
          tags: ['webhooks'],
          parameters: [
            header('webhook-id', 'the event id (the same in GET /v1/events): deduplicate on it'),
            header('webhook-timestamp', 'Unix seconds when this attempt was signed'),
            header('webhook-signature', '`v1,<base64 HMAC-SHA256>`, space-separated when two secrets sign (rotation)'),
          ],
          requestBody: { required: true, content: { 'application/json': { schema: schemaOf(schema, 'output') } } },
          responses: { '2XX': { description: 'Received; anything else is retried (4xx other than 408, 409, 425, 429 is not)' } },
        },
      },
    ]),
  );
}
