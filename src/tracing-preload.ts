/**
 * Loaded before the service (`tsx --import ./src/tracing-preload.ts src/main.ts`): when tracing is on
 * (`OTEL_ENABLED=true` or `OTEL_EXPORTER_OTLP_ENDPOINT` set), registers the ESM instrumentation hook
 * and starts OpenTelemetry before express, pg and undici are imported. Off, it does nothing more.
 */
import 'dotenv/config';
import { register } from 'node:module';
import { loadConfig } from './config.js';
import { startTracing } from './tracing.js';

function tracingEnabled(): boolean {
  try {
    return loadConfig().tracing.enabled;
  } catch {
    return false; // main.ts reports the configuration error
  }
}

if (tracingEnabled()) {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  startTracing();
}
