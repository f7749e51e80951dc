/**
 * A small getopt for tool grammars: short clusters (`-rf`), separate flags (`-r -f`), long flags
 * with or without `=value`, flags after operands, and `--` ending options.
 */
import type { Word } from './tool-rule.js';

/** Which options take a value. Short letters as a string (`'Cc'`), long names without dashes. */
export interface ArgSpec {
  readonly shortWithValue?: string;
  readonly longWithValue?: readonly string[];
  /** Stop option parsing at the first operand (subcommand-style tools: `git`, `sudo`, `env`). */
  readonly stopAtOperand?: boolean;
  /** Single-dash long options (`-exec`, `-name`) are kept whole instead of split into letters. */
  readonly singleDashLong?: boolean;
}

/** Parsed arguments. Flag keys keep their dashes (`-r`, `--recursive`); values are the last seen. */
export interface ParsedArgs {
  readonly flags: ReadonlyMap<string, Word | true>;
  /** Every flag occurrence in order, for tools where repetition or order matters. */
  readonly flagList: readonly (readonly [string, Word | true])[];
  readonly operands: readonly Word[];
  /** Index in the input of the first operand when `stopAtOperand` stopped there, else -1. */
  readonly stopIndex: number;
}

/** Parses `args` per `spec`. Never throws; a dynamic word is an operand unless it starts with `-`. */
export function parseArgs(args: readonly Word[], spec: ArgSpec = {}): ParsedArgs {
  const flags = new Map<string, Word | true>();
  const flagList: [string, Word | true][] = [];
  const operands: Word[] = [];
  const shortValue = spec.shortWithValue ?? '';
  const longValue = spec.longWithValue ?? [];
  let stopIndex = -1;
  let i = 0;
  const set = (key: string, value: Word | true): void => {
    flags.set(key, value);
    flagList.push([key, value]);
  };
  for (; i < args.length; i++) {
    const w = args[i] as Word;
    const t = w.text;
    if (t === '--') {
      for (let j = i + 1; j < args.length; j++) operands.push(args[j] as Word);
      break;
    }
    if (t.startsWith('--') && t.length > 2) {
      const eq = t.indexOf('=');
      if (eq > 0) {
        set(t.slice(0, eq), { text: t.slice(eq + 1), dynamic: w.dynamic, glob: w.glob });
      } else if (longValue.includes(t.slice(2)) && i + 1 < args.length) {
        set(t, args[++i] as Word);
      } else {
        set(t, true);
      }
      continue;
    }
    if (t.startsWith('-') && t.length > 1) {
      if (spec.singleDashLong === true && t.length > 2) {
        set(t, true);
        continue;
      }
      for (let k = 1; k < t.length; k++) {
        const letter = t[k] as string;
        const key = `-${letter}`;
        if (shortValue.includes(letter)) {
          const rest = t.slice(k + 1);
          if (rest.length > 0) set(key, { text: rest, dynamic: w.dynamic, glob: w.glob });
          else if (i + 1 < args.length) set(key, args[++i] as Word);
          else set(key, true);
          break;
        }
        set(key, true);
      }
      continue;
    }
    if (spec.stopAtOperand === true) {
      stopIndex = i;
      break;
    }
    operands.push(w);
  }
  return { flags, flagList, operands, stopIndex };
}

/** True when any of the keys was given. */
export function hasFlag(parsed: ParsedArgs, ...keys: readonly string[]): boolean {
  for (const k of keys) if (parsed.flags.has(k)) return true;
  return false;
}

/** The value of the first key given with a value, else undefined. */
export function flagValue(parsed: ParsedArgs, ...keys: readonly string[]): Word | undefined {
  for (const k of keys) {
    const v = parsed.flags.get(k);
    if (v !== undefined && v !== true) return v;
  }
  return undefined;
}

/** The text of {@link flagValue}. */
export function flagText(parsed: ParsedArgs, ...keys: readonly string[]): string | undefined {
  return flagValue(parsed, ...keys)?.text;
}

/** True when any word equals `--help`/`--version` (or `-h` when `shortHelp`) before a `--`. */
export function asksForHelp(args: readonly Word[]): boolean {
  for (const w of args) {
    if (w.text === '--') return false;
    if (w.text === '--help' || w.text === '--version' || w.text === '-help') return true;
  }
  return false;
}
