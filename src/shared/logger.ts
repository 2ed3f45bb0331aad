import pino, { type Logger } from 'pino';
import { redactedLogPaths } from './redaction.js';

export type { Logger } from 'pino';

/** JSON logs with secrets censored by path (see redaction.ts). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'tiktok-shop-connect' },
      redact: { paths: redactedLogPaths, censor: '[REDACTED]' },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}
