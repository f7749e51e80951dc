/**
 * A small argument parser for the `airlock` subcommands: flags before the operands, `--` ends
 * them, and a subcommand that takes a command line stops at its first operand.
 */
import { AirlockError } from '../core/errors.js';

/** Declares a subcommand's flags: `true` for a flag that takes a value, `false` for a switch. */
export type FlagSpec = Readonly<Record<string, { readonly value: boolean; readonly short?: string; readonly repeat?: boolean }>>;

/** Parsed flags and the operands left. */
export interface ParsedArgs {
  readonly flags: Readonly<Record<string, string | boolean | readonly string[]>>;
  readonly rest: readonly string[];
}

/**
 * Parses argv. With `stopAtOperand`, the first operand ends flag parsing (so `check kubectl -n x`
 * keeps `-n` for kubectl). Unknown flags fail with BAD_INPUT naming the flag.
 */
export function parseArgs(argv: readonly string[], spec: FlagSpec, options: { stopAtOperand?: boolean; command: string }): ParsedArgs {
  const flags: Record<string, string | boolean | string[]> = {};
  const rest: string[] = [];
  const byShort = new Map(Object.entries(spec).flatMap(([name, s]) => (s.short ? [[s.short, name] as const] : [])));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else if (arg.startsWith('-') && arg.length === 2 && byShort.has(arg.slice(1))) {
      name = byShort.get(arg.slice(1));
    } else if (arg.startsWith('-') && arg.length > 1 && rest.length === 0 && !options.stopAtOperand) {
      throw new AirlockError({
        code: 'BAD_INPUT',
        message: `airlock ${options.command}: unknown option ${arg} (see \`airlock help\`)`,
      });
    }
    if (name === undefined) {
      if (options.stopAtOperand) {
        rest.push(...argv.slice(i));
        break;
      }
      rest.push(arg);
      continue;
    }
    const s = spec[name];
    if (s === undefined) {
      throw new AirlockError({
        code: 'BAD_INPUT',
        message: `airlock ${options.command}: unknown option --${name} (see \`airlock help\`)`,
      });
    }
    let value: string | boolean = true;
    if (s.value) {
      if (inline !== undefined) value = inline;
      else {
        const next = argv[i + 1];
        if (next === undefined)
          throw new AirlockError({ code: 'BAD_INPUT', message: `airlock ${options.command}: --${name} needs a value` });
        value = next;
        i++;
      }
    } else if (inline !== undefined) {
      throw new AirlockError({ code: 'BAD_INPUT', message: `airlock ${options.command}: --${name} takes no value` });
    }
    if (s.repeat && typeof value === 'string') {
      const prev = flags[name];
      flags[name] = [...(Array.isArray(prev) ? prev : []), value];
    } else flags[name] = value;
  }
  return { flags, rest };
}

/** A string flag or undefined. */
export function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** A repeated string flag as a list. */
export function list(args: ParsedArgs, name: string): readonly string[] {
  const v = args.flags[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** A switch. */
export function bool(args: ParsedArgs, name: string): boolean {
  return args.flags[name] === true;
}
