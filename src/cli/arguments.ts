import { ValidationFailed } from '../shared/errors.js';
import { globalFlags, type Command, type Flags } from './command.js';
import { ArgumentUnexpected, CommandUnknown, FlagMissing, FlagRepeated, FlagUnknown, FlagValueMissing, FlagValueUnexpected } from './errors.js';
import { closest } from './suggest.js';
import { usageLine } from './usage.js';

export type Invocation = { kind: 'help'; command?: Command } | { kind: 'run'; command: Command; flags: Flags };

interface RawFlag {
  name: string;
  /** As typed, without any `=value`: `--scope`, `-json`. */
  token: string;
  value: string | undefined;
}

/**
 * `api-clients revoke --id x --json` → the command and its checked flags. Refuses, with a hint, an unknown
 * command, an unknown or repeated flag, a flag without its value (`--id --json`, `--id` last), a value for a
 * switch, a stray argument and a missing required flag. `--help` (or `-h`) anywhere asks for help instead.
 */
export function parseCommandLine(argv: readonly string[], commands: readonly Command[]): Invocation {
  const positional: string[] = [];
  const raw: RawFlag[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') raw.push({ name: 'help', token: '--help', value: undefined });
    else if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) positional.push(arg);
    else {
      const dashes = arg.startsWith('--') ? '--' : '-';
      const body = arg.slice(dashes.length);
      const equals = body.indexOf('=');
      const name = equals === -1 ? body : body.slice(0, equals);
      let value = equals === -1 ? undefined : body.slice(equals + 1);
      const next = argv[i + 1];
      const isSwitch = dashes === '--' && Object.hasOwn(globalFlags, name);
      if (value === undefined && !isSwitch && next !== undefined && !next.startsWith('--')) {
        value = next;
        i++;
      }
      raw.push({ name: dashes === '--' ? name : `${dashes}${name}`, token: `${dashes}${name}`, value });
    }
  }

  const help = raw.some((flag) => flag.name === 'help');
  const command = commands.find((candidate) => candidate.name.split(' ').every((word, k) => positional[k] === word));
  if (!command) {
    if (help) return { kind: 'help' };
    throw unknownCommand(positional, commands);
  }
  if (help) return { kind: 'help', command };

  const known = { ...command.flags, ...globalFlags };
  const names = Object.keys(known);
  const flags: Record<string, string | true> = {};
  for (const flag of raw) {
    const spec = Object.hasOwn(known, flag.name) ? known[flag.name] : undefined;
    if (!spec) throw new FlagUnknown(flag.token, command.name, closest(flag.token.replace(/^-+/, ''), names), names);
    if (Object.hasOwn(flags, flag.name)) throw new FlagRepeated(flag.name, spec.value ?? '');
    if (spec.value === undefined) {
      if (flag.value !== undefined) throw new FlagValueUnexpected(flag.name);
      flags[flag.name] = true;
    } else {
      if (flag.value === undefined) throw new FlagValueMissing(flag.name, spec.value);
      flags[flag.name] = flag.value;
    }
  }
  const extra = positional[command.name.split(' ').length];
  if (extra !== undefined) throw new ArgumentUnexpected(extra, command.name, usageLine(command));
  for (const [name, spec] of Object.entries(command.flags)) {
    if (spec.required && !Object.hasOwn(flags, name)) throw new FlagMissing(name, command.name, usageLine(command));
  }
  return { kind: 'run', command, flags };
}

/** The value of a flag that takes one (undefined when it was left out). */
export function flagValue(flags: Flags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}

/** `a, b,,c` → [a, b, c] (an empty value gives []); undefined when the flag was left out. */
export function flagList(flags: Flags, name: string): string[] | undefined {
  return flagValue(flags, name)?.split(',').map((item) => item.trim()).filter(Boolean);
}

/** A positive whole number, or a validation failure naming the flag. */
export function wholeFlag(flags: Flags, name: string): number {
  const text = flagValue(flags, name) ?? '';
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < 1) throw new ValidationFailed(`--${name} must be a positive whole number.`);
  return value;
}

function unknownCommand(positional: string[], commands: readonly Command[]): CommandUnknown {
  const names = commands.map((command) => command.name);
  const hint = `Commands: ${names.join(', ')}. See npm run cli -- --help.`;
  if (positional.length === 0) return new CommandUnknown('No command given.', hint);
  const [group] = positional;
  const actions = names.filter((name) => name.startsWith(`${group} `)).map((name) => name.slice(`${group} `.length));
  if (positional.length === 1 && actions.length > 0) return new CommandUnknown(`"${group}" needs a command: ${actions.join(', ')}.`, hint);
  const typed = positional.slice(0, 2).join(' ');
  const suggestion = closest(typed, names);
  return new CommandUnknown(`Unknown command "${typed}"${suggestion ? `; did you mean "${suggestion}"?` : '.'}`, hint);
}
