import type { Config } from '../config.js';
import type { Core } from '../core.js';
import type { Database } from '../db/database.js';

export interface FlagSpec {
  /** How the value reads in usage text (`<name>`, `<a,b>`); absent for switches such as --json. */
  value?: string;
  required?: boolean;
  description: string;
}

/** Flags after checking: every name is declared, switches are `true`, every other flag has a string value. */
export type Flags = Readonly<Record<string, string | true>>;

export interface CliOutput {
  json: boolean;
  /** Prints `human` normally, or `machine` as one JSON line with --json. */
  print(human: string, machine: unknown): void;
}

export interface CommandContext {
  out: CliOutput;
  db: Database;
  config: Config;
  /** The service's composition root over `db`, its workers not started. */
  core: Core;
}

/** One operator command: its flags are the contract, checked before `prepare` is called. */
export interface Command {
  /** The words that name it, e.g. `api-clients create`. */
  name: string;
  summary: string;
  flags: Record<string, FlagSpec>;
  /**
   * Checks the flags' values before anything is opened (throwing `ValidationFailed`), and answers the work
   * to do with the database; that answers the exit code and throws for failures (see errors.ts).
   */
  prepare(flags: Flags): (context: CommandContext) => Promise<number>;
}

/** Switches every command takes. */
export const globalFlags: Record<string, FlagSpec> = {
  json: { description: 'Print one JSON value on stdout; errors become {"error":{"code","message","hint"}} on stderr.' },
  help: { description: 'Print this help.' },
};
