/**
 * Reads the Cedar schema and policy files from disk for the composition root: the default pack
 * (policies/default.cedar) and the user's extra `.cedar` files or directories. Only reads; parsing
 * and validation happen in CedarPolicyEngine.create.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AirlockError } from '../../core/errors.js';
import type { PolicyFile } from './compile-policies.js';

/** The schema's file name inside the schema directory. */
export const SCHEMA_FILE = 'airlock.cedarschema';

/** Options for {@link loadPolicySources}. */
export interface LoadPolicySourcesOptions {
  /** Directory of the default pack (its `*.cedar` files, not subdirectories); null to leave the pack out. */
  readonly defaultDir: string | null;
  /** Directory holding `airlock.cedarschema`. */
  readonly schemaDir: string;
  /** The user's policy files or directories (each directory's `*.cedar` files, not recursive), in order. */
  readonly extra: readonly string[];
}

/** What CedarPolicyEngine.create needs, besides a hasher. */
export interface PolicySources {
  readonly schema: string;
  readonly schemaName: string;
  readonly policies: readonly PolicyFile[];
}

/**
 * Reads the schema, then the default pack's files, then each extra path, each directory's files
 * sorted by name. Policy files are named by their base name (`ids` default to `name#N`).
 * Throws AirlockError('BAD_CONFIG') for a path that does not exist or is not a `.cedar` file or a
 * directory, and AirlockError('BAD_POLICY') when the schema cannot be read.
 */
export function loadPolicySources(options: LoadPolicySourcesOptions): PolicySources {
  const schemaPath = join(options.schemaDir, SCHEMA_FILE);
  let schema: string;
  try {
    schema = readFileSync(schemaPath, 'utf8');
  } catch (err) {
    throw new AirlockError({ code: 'BAD_POLICY', message: `cannot read the Cedar schema ${SCHEMA_FILE}: ${messageOf(err)}`, cause: err });
  }
  const policies: PolicyFile[] = [];
  if (options.defaultDir !== null) policies.push(...readCedarDirectory(options.defaultDir));
  for (const path of options.extra) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch (err) {
      throw new AirlockError({
        code: 'BAD_CONFIG',
        message: `policies.paths: ${path} does not exist or cannot be read; fix the path or remove it (${messageOf(err)})`,
        cause: err,
      });
    }
    if (isDirectory) policies.push(...readCedarDirectory(path));
    else if (path.endsWith('.cedar')) policies.push(readPolicyFile(path));
    else throw new AirlockError({ code: 'BAD_CONFIG', message: `policies.paths: ${path} is neither a .cedar file nor a directory` });
  }
  return { schema, schemaName: SCHEMA_FILE, policies };
}

function readCedarDirectory(dir: string): PolicyFile[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.cedar'))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    throw new AirlockError({ code: 'BAD_CONFIG', message: `cannot read the policy directory ${dir}: ${messageOf(err)}`, cause: err });
  }
  return names.map((name) => readPolicyFile(join(dir, name)));
}

function readPolicyFile(path: string): PolicyFile {
  try {
    return { name: basename(path), text: readFileSync(path, 'utf8') };
  } catch (err) {
    throw new AirlockError({ code: 'BAD_CONFIG', message: `cannot read the policy file ${path}: ${messageOf(err)}`, cause: err });
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
