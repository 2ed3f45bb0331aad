import { ConfigError } from '../config.js';
import { isServiceError, type ErrorCode } from '../shared/errors.js';

/**
 * Failures only the CLI knows, each with a stable code. Like `http/errors.ts` for HTTP, `describeFailure`
 * is the one place where any failure becomes an exit code, a code, a message and a hint.
 */
export type CliErrorCode =
  // the command line is wrong (exit 2)
  | 'command_unknown'
  | 'flag_unknown'
  | 'flag_value_missing'
  | 'flag_value_unexpected'
  | 'flag_repeated'
  | 'flag_missing'
  | 'argument_unexpected'
  // the command ran and failed (exit 1)
  | 'api_client_not_found'
  | 'refresh_failed'
  | 'config_invalid';

export abstract class CliError extends Error {
  abstract readonly code: CliErrorCode;
  constructor(message: string, readonly hint: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class CommandUnknown extends CliError {
  readonly code = 'command_unknown';
}
export class FlagUnknown extends CliError {
  readonly code = 'flag_unknown';
  constructor(readonly flag: string, command: string, suggestion: string | undefined, known: string[]) {
    super(
      `Unknown flag ${flag} for "${command}"${suggestion ? `; did you mean --${suggestion}?` : '.'}`,
      `"${command}" takes ${known.map((name) => `--${name}`).join(', ')}. See npm run cli -- ${command} --help.`,
    );
  }
}
export class FlagValueMissing extends CliError {
  readonly code = 'flag_value_missing';
  constructor(readonly flag: string, placeholder: string) {
    super(`--${flag} needs a value.`, `Write --${flag} ${placeholder} (or --${flag}=${placeholder}).`);
  }
}
export class FlagValueUnexpected extends CliError {
  readonly code = 'flag_value_unexpected';
  constructor(readonly flag: string) {
    super(`--${flag} takes no value.`, `Write --${flag} on its own.`);
  }
}
export class FlagRepeated extends CliError {
  readonly code = 'flag_repeated';
  constructor(readonly flag: string, placeholder: string) {
    const list = placeholder.includes(',') ? ` To give several values, separate them with commas: --${flag} ${placeholder}.` : '';
    super(`--${flag} is given more than once.`, `Give --${flag} once.${list}`);
  }
}
export class FlagMissing extends CliError {
  readonly code = 'flag_missing';
  constructor(readonly flag: string, command: string, usage: string) {
    super(`"${command}" needs --${flag}.`, `Usage: ${usage}`);
  }
}
export class ArgumentUnexpected extends CliError {
  readonly code = 'argument_unexpected';
  constructor(readonly argument: string, command: string, usage: string) {
    super(`Unexpected argument "${argument}" after "${command}".`, `Values go after their flag. Usage: ${usage}`);
  }
}
export class ApiClientNotFound extends CliError {
  readonly code = 'api_client_not_found';
  constructor(readonly clientId: string) {
    super(`No API client has id ${clientId}.`, 'npm run cli -- api-clients list shows every client with its id.');
  }
}

export class RefreshFailed extends CliError {
  readonly code = 'refresh_failed';
  constructor(readonly connectionId: string, reason: string | null, keptUntil: Date) {
    super(
      `The refresh of ${connectionId} failed${reason ? `: ${reason.replace(/\.$/, '')}` : ''}.`,
      `The connection keeps its current access token (valid until ${keptUntil.toISOString()}) and the service retries in the background; run the command again later.`,
    );
  }
}

const exitCodes: Record<CliErrorCode, 1 | 2> = {
  command_unknown: 2,
  flag_unknown: 2,
  flag_value_missing: 2,
  flag_value_unexpected: 2,
  flag_repeated: 2,
  flag_missing: 2,
  argument_unexpected: 2,
  api_client_not_found: 1,
  refresh_failed: 1,
  config_invalid: 1,
};

/** Hints for service errors that the CLI can say better than the HTTP hint (which names routes). */
const serviceHints: Partial<Record<ErrorCode, string>> = {
  connection_not_found: 'npm run cli -- connections list shows every connection with its id.',
  webhook_subscription_not_found: 'npm run cli -- webhooks list shows every subscription with its id.',
  decryption_failed: 'Stored credentials could not be decrypted: TOKEN_ENCRYPTION_KEYS must still list the key they were sealed with.',
  encryption_key_unknown: 'Add the missing key to TOKEN_ENCRYPTION_KEYS.',
  tiktok_grant_dead: 'TikTok no longer accepts this authorization: the merchant must connect again.',
};

export interface Failure {
  /** 2: the command line is wrong (nothing was done); 1: the command ran and failed. */
  exitCode: 1 | 2;
  code: CliErrorCode | ErrorCode;
  message: string;
  hint: string;
}

/** Any thrown value as what the operator sees; `command` (when known) points the hint at its --help. */
export function describeFailure(error: unknown, command: string | undefined): Failure {
  const help = `See npm run cli -- ${command ?? ''}${command ? ' ' : ''}--help.`;
  if (error instanceof CliError) return { exitCode: exitCodes[error.code], code: error.code, message: error.message, hint: error.hint };
  if (isServiceError(error)) {
    const hint = error.hint ?? serviceHints[error.code] ?? (error.code === 'validation_failed' ? help : 'Fix the cause named in the message and run the command again.');
    // A database another process holds: nothing was done, as with a wrong command line.
    const nothingDone = error.code === 'validation_failed' || error.code === 'database_in_use';
    return { exitCode: nothingDone ? 2 : 1, code: error.code, message: error.message, hint };
  }
  if (error instanceof ConfigError) {
    return { exitCode: exitCodes.config_invalid, code: 'config_invalid', message: error.message, hint: 'Fix the variable named in the message (in the environment or .env); docs/configuration.md lists every setting.' };
  }
  return {
    exitCode: 1,
    code: 'internal_error',
    message: error instanceof Error ? error.message : String(error),
    hint: 'The command failed unexpectedly: check that the database is reachable, then run it again.',
  };
}

/** `--json`: one JSON line `{"error":{code,message,hint}}`; otherwise words. Both go to stderr. */
export function renderFailure(failure: Failure, json: boolean): string {
  if (json) return `${JSON.stringify({ error: { code: failure.code, message: failure.message, hint: failure.hint } })}\n`;
  const label = failure.code === 'config_invalid' ? 'Configuration error' : 'Error';
  return `${label}: ${failure.message}\nHint: ${failure.hint}\n`;
}
