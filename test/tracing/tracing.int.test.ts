import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testBackend, type TestDatabase } from '../support/database.js';

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  scope: string;
  attributes: Record<string, string | number | boolean | undefined>;
}

const SERVER = 2;
const CLIENT = 3;
const simulatorAppSecret = 'sim_app_secret_for_development_only';

/**
 * Issue #17: with OTEL_EXPORTER_OTLP_ENDPOINT set, `npm start`'s preload traces the service. The
 * service runs in its own process (instrumentation patches modules as they load) and exports over
 * OTLP/HTTP to a collector this test plays, so the real exporter and its redaction are what is tested.
 */
describe('tracing (OpenTelemetry)', () => {
  let collector: Server;
  const bodies: string[] = [];
  let db: TestDatabase | undefined;
  let spans: Span[] = [];
  let logLines: Record<string, unknown>[] = [];
  let result: { status: number; shopId: string; database: string };

  beforeAll(async () => {
    collector = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    if (testBackend === 'postgres') db = await createTestDatabase();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      LOG_LEVEL: 'info',
      ...(db?.url ? { DATABASE_URL: db.url } : {}),
    };
    const stdout = await runChild(env);
    const lines = stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    result = lines.find((line) => 'result' in line)!.result as typeof result;
    logLines = lines.filter((line) => !('result' in line));
    spans = bodies.flatMap(parseOtlp);
  }, 120_000);
  afterAll(async () => {
    collector?.close();
    await db?.close();
  });

  const tokenTrace = () => {
    const server = spans.find((span) => span.kind === SERVER && span.attributes['http.route'] === '/v1/shops/:shopId/token');
    expect(server, 'the server span of the token request').toBeDefined();
    return { server: server!, trace: spans.filter((span) => span.traceId === server!.traceId) };
  };

  it('reads the token', () => {
    expect(result).toMatchObject({ status: 200, database: testBackend });
  });

  it('traces the token request: a server span named by its route, and the Express handler inside it', () => {
    const { server, trace } = tokenTrace();
    expect(server.name).toBe('GET /v1/shops/:shopId/token');
    expect(server.attributes['http.response.status_code'] ?? server.attributes['http.status_code']).toBe(200);
    const handler = trace.find((span) => span.scope === '@opentelemetry/instrumentation-express' && span.attributes['express.name'] === '/v1/shops/:shopId/token');
    expect(handler?.attributes['express.type']).toBe('request_handler');
    expect(handler?.parentSpanId).toBe(server.spanId);
  });

  it('traces the TikTok call the read made (a token about to expire is refreshed first), without its secrets', () => {
    const { trace } = tokenTrace();
    const refresh = trace.find((span) => span.kind === CLIENT && span.attributes['url.path'] === '/simulator/api/v2/token/refresh');
    expect(refresh?.scope).toBe('@opentelemetry/instrumentation-undici');
    expect(refresh?.attributes['url.full']).toMatch(/app_secret=\[REDACTED\]&refresh_token=\[REDACTED\]/);
    // The trace continues into the simulator standing in for TikTok (traceparent propagated).
    expect(trace.some((span) => span.kind === SERVER && span.attributes['http.route'] === '/simulator/api/v2/token/refresh')).toBe(true);
  });

  it.runIf(testBackend === 'postgres')('traces the database queries of the request (Postgres)', () => {
    const { trace } = tokenTrace();
    const queries = trace.filter((span) => span.scope === '@opentelemetry/instrumentation-pg' && span.name.startsWith('pg.query'));
    expect(queries.length).toBeGreaterThan(0);
    const text = (span: Span) => String(span.attributes['db.statement'] ?? span.attributes['db.query.text'] ?? '');
    expect(queries.some((span) => text(span).includes('connections'))).toBe(true);
    expect(queries.every((span) => !text(span).includes(simulatorAppSecret))).toBe(true);
  });

  it('puts the trace id in the log lines of the request', () => {
    const { server } = tokenTrace();
    const line = logLines.find((entry) => entry.requestId === 'traced-token-read' && entry.msg === 'request');
    expect(line).toMatchObject({ status: 200, trace_id: server.traceId, span_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });

  it('exports no secret: no app secret, token, code, state or connect-link token in any span', () => {
    const exported = bodies.join('\n');
    expect(exported).not.toContain(simulatorAppSecret);
    for (const name of ['app_secret', 'refresh_token', 'access_token', 'auth_code', 'code', 'state', 'sign']) {
      expect(exported).not.toMatch(new RegExp(`[?&]${name}=(?!\\[REDACTED\\])`));
    }
    expect(exported).not.toMatch(/\/connect\/(?!\[REDACTED\]|:token)[^/"]+/);
  });
});

function runChild(env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', './src/tracing-preload.ts', 'test/tracing/traced-token-read.ts'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`the traced service exited with ${code}: ${stderr.slice(-2000)}`))));
  });
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}

function parseOtlp(body: string): Span[] {
  const parsed = JSON.parse(body) as {
    resourceSpans: {
      scopeSpans: {
        scope: { name: string };
        spans: { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes: { key: string; value: OtlpValue }[] }[];
      }[];
    }[];
  };
  return parsed.resourceSpans.flatMap((resource) =>
    resource.scopeSpans.flatMap((scope) =>
      scope.spans.map((span) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
        name: span.name,
        kind: span.kind,
        scope: scope.scope.name,
        attributes: Object.fromEntries(
          span.attributes.map(({ key, value }) => [key, value.stringValue ?? (value.intValue === undefined ? undefined : Number(value.intValue)) ?? value.boolValue ?? value.doubleValue]),
        ),
      })),
    ),
  );
}
