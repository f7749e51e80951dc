/**
 * `airlock policy test FILE…`: runs declarative policy cases through the policy in force (the
 * default pack plus the config's extra files) and the real classifier. Exit 1 when a case fails.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AirlockError } from '../core/errors.js';
import { formatPolicyTestResults, parsePolicyTests, runPolicyTests } from '../adapters/policy-cedar/policy-test.js';
import type { CliIo } from './cli.js';
import { createAirlock } from './composition.js';

/** Dispatches `airlock policy …`. */
export async function policyCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...files] = argv;
  if (sub !== 'test' || files.length === 0) {
    throw new AirlockError({ code: 'BAD_INPUT', message: 'usage: airlock policy test FILE… (YAML cases; see docs/policy.md)' });
  }
  const airlock = await createAirlock({ env: io.env, cwd: io.cwd });
  try {
    let failed = 0;
    for (const file of files) {
      const path = resolve(io.cwd, file);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        throw new AirlockError({ code: 'BAD_INPUT', message: `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}` });
      }
      const cases = parsePolicyTests(text, file);
      const results = runPolicyTests(cases, {
        engine: airlock.policy,
        classify: (action) => airlock.gateway.assess(action),
        now: airlock.clock.now().toISOString(),
      });
      failed += results.filter((r) => !r.passed).length;
      io.stdout.write(`${file}\n${formatPolicyTestResults(results)}\n`);
    }
    return failed === 0 ? 0 : 1;
  } finally {
    await airlock.close();
  }
}
