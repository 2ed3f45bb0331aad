import { context, trace, type ProxyTracerProvider } from '@opentelemetry/api';

/**
 * The ids of the span running now, for log lines (`trace_id`, `span_id`); none when tracing is off
 * or nothing is traced here. Uses only the OpenTelemetry API, which is a no-op without an SDK.
 */
export function traceIds(): Record<string, string> {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/**
 * Exports the spans still buffered and stops tracing (on shutdown), giving up after `timeoutMs` (an
 * unreachable collector is retried for longer than a shutdown may take). Does nothing when tracing is off.
 */
export async function flushTraces(timeoutMs = 2_000): Promise<void> {
  const provider = (trace.getTracerProvider() as ProxyTracerProvider).getDelegate?.() as { shutdown?: () => Promise<void> } | undefined;
  if (!provider?.shutdown) return;
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  await Promise.race([provider.shutdown().catch(() => undefined), gaveUp]);
  clearTimeout(timer);
}
