import pino, { type Logger } from 'pino';
import { redactedLogPaths, redactText } from './redaction.js';
import { traceIds } from './trace-context.js';

export type { Logger } from 'pino';

/**
 * JSON logs with secrets censored by path (see redaction.ts). With tracing on, each line logged inside
 * a span carries its `trace_id` and `span_id` (the OpenTelemetry API answers no span when tracing is off).
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'tiktok-shop-connect' },
      redact: { paths: redactedLogPaths, censor: '[REDACTED]' },
      serializers: { err: serializeError },
      mixin: traceIds,
    },
    destination,
  );
}

/** pino's error serializer, with secret URL parameters censored in every message and stack of the cause chain. */
function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  const scrub = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return redactText(value);
    if (!value || typeof value !== 'object' || depth > 5) return value;
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, scrub(inner, depth + 1)]));
  };
  return scrub(serialized, 0);
}

/**
 * The service's stdout for logs, written asynchronously: lines are buffered while a write is under
 * way and written together, instead of one blocking write(2) per line (one per request at the default
 * level, issue #12). pino flushes the buffer synchronously when the process exits, crash included;
 * only a SIGKILL can lose the last lines.
 */
export function asyncStdout(): pino.DestinationStream {
  return pino.destination({ dest: 1, sync: false });
}
