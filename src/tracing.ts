import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { redactText, redactUrl } from './shared/redaction.js';

export interface TracingOptions {
  /** Where spans go; default the OTLP/HTTP exporter, configured by the standard `OTEL_EXPORTER_OTLP_*` variables. */
  exporter?: SpanExporter;
  /** Default `OTEL_SERVICE_NAME`, else `tiktok-shop-connect`. */
  serviceName?: string;
}

/** Requests not worth a trace: scrapes and probes. */
const untracedPaths = new Set(['/metrics', '/healthz', '/readyz']);

/**
 * Starts OpenTelemetry: a span for each incoming request (http, express), each database query (pg)
 * and each call to TikTok (undici), exported in batches. Must run before express, pg and undici are
 * loaded (tracing-preload.ts does that for `npm start`). Secret query values and connect-link tokens
 * are censored in every span attribute before export.
 *
 * @example
 * const sdk = startTracing({ exporter: new InMemorySpanExporter() });
 * // on shutdown: await flushTraces() (shared/trace-context.ts)
 */
export function startTracing(options: TracingOptions = {}): NodeSDK {
  const sdk = new NodeSDK({
    serviceName: options.serviceName ?? process.env.OTEL_SERVICE_NAME ?? 'tiktok-shop-connect',
    spanProcessors: [new BatchSpanProcessor(redactingExporter(options.exporter ?? new OTLPTraceExporter()))],
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => untracedPaths.has((req.url ?? '').split('?')[0] ?? '') }),
      new ExpressInstrumentation(),
      new PgInstrumentation(),
      new UndiciInstrumentation(),
    ],
  });
  sdk.start();
  return sdk;
}

/**
 * Wraps an exporter so that no span name or attribute carries a secret: TikTok's token endpoints put
 * `app_secret` and tokens in the query, the OAuth callback `code` and `state`, connect links a token in the path.
 *
 * @example
 * new BatchSpanProcessor(redactingExporter(new OTLPTraceExporter()))
 */
export function redactingExporter(exporter: SpanExporter): SpanExporter {
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      exporter.export(spans.map(withoutSecrets), done);
    },
    shutdown: () => exporter.shutdown(),
    ...(exporter.forceFlush ? { forceFlush: () => exporter.forceFlush!() } : {}),
  };
}

function withoutSecrets(span: ReadableSpan): ReadableSpan {
  const attributes = Object.fromEntries(
    Object.entries(span.attributes).map(([key, value]) => [key, typeof value === 'string' ? redactValue(value) : value]),
  );
  return Object.create(span, { attributes: { value: attributes, enumerable: true }, name: { value: redactValue(span.name), enumerable: true } }) as ReadableSpan;
}

/** A path or URL (or `METHOD /path`) loses its connect-link token and secret query values; other text its secret query values. */
function redactValue(value: string): string {
  const prefix = /^(?:[A-Z]+ )?(?:https?:\/\/[^/?#\s]+)?/.exec(value)?.[0] ?? '';
  const rest = value.slice(prefix.length);
  return prefix + (rest.startsWith('/') ? redactUrl(rest) : redactText(rest));
}
