/**
 * Loaded before the service (`tsx --import ./src/tracing-preload.ts src/main.ts`): when tracing is on
 * (`OTEL_ENABLED=true` or `OTEL_EXPORTER_OTLP_ENDPOINT` set), registers the ESM instrumentation hook
 * and starts OpenTelemetry before express, pg and undici are imported. Off, it loads nothing more.
 */
import 'dotenv/config';
import { register } from 'node:module';
import { loadConfig } from './config.js';

function tracingEnabled(): boolean {
  try {
    return loadConfig().tracing.enabled;
  } catch {
    return false; // main.ts reports the configuration error
  }
}

// The OpenTelemetry SDK is imported only when tracing is on: loading it costs a second of start-up
// and tens of MB of RSS that a service without tracing never uses (issue #12).
if (tracingEnabled()) {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const { startTracing } = await import('./tracing.js');
  startTracing();
}
