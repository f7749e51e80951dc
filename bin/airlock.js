#!/usr/bin/env node
// The `airlock` command. The TypeScript sources are compiled to dist/ by `npm ci` (prepare).
import { setFlagsFromString } from 'node:v8';

// Short-lived invocations (one decision per process: hooks, exec, sh, a single check) start
// faster with V8's baseline WebAssembly compiler only: optimising Cedar's WASM costs more than
// it saves in one decision. Long-running ones (`up`, `check --jsonl`) keep the optimiser.
const [command, ...rest] = process.argv.slice(2);
if (['hook', 'exec', 'sh'].includes(command) || (command === 'check' && !rest.includes('--jsonl'))) {
  setFlagsFromString('--liftoff-only');
}

import('../dist/app/cli.js')
  .then((m) => m.main(process.argv.slice(2)))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`airlock: internal error: ${err?.stack ?? err}\n`);
      process.exitCode = 70;
    },
  );
