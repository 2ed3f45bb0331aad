import { InMemorySpanExporter, SimpleSpanProcessor, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { redactingExporter } from '../../src/tracing.js';

describe('redactingExporter', () => {
  it('censors secrets in span names and attributes before they reach the exporter', async () => {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(redactingExporter(memory))] });
    const tracer = provider.getTracer('test');
    const span = tracer.startSpan('GET /connect/abcDEF123secretLinkToken/authorize');
    span.setAttributes({
      'url.full': 'https://auth.tiktok-shops.com/api/v2/token/refresh?app_key=k&app_secret=s3cr3t&refresh_token=ROW_rt&grant_type=refresh_token',
      'url.path': '/connect/abcDEF123secretLinkToken/authorize',
      'http.target': '/oauth/tiktok/callback?code=auth-code-1&state=state-1&locale=en',
      'db.statement': 'SELECT id FROM connections WHERE id = $1',
      'http.response.status_code': 200,
    });
    span.end();
    await provider.forceFlush();
    const [exported] = memory.getFinishedSpans();
    expect(exported!.name).toBe('GET /connect/[REDACTED]/authorize');
    expect(exported!.attributes).toStrictEqual({
      'url.full': 'https://auth.tiktok-shops.com/api/v2/token/refresh?app_key=k&app_secret=[REDACTED]&refresh_token=[REDACTED]&grant_type=refresh_token',
      'url.path': '/connect/[REDACTED]/authorize',
      'http.target': '/oauth/tiktok/callback?code=[REDACTED]&state=[REDACTED]&locale=en',
      'db.statement': 'SELECT id FROM connections WHERE id = $1',
      'http.response.status_code': 200,
    });
    expect(exported!.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    await provider.shutdown();
  });
});
