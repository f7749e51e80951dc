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

// A hook loads only the hook path (it may just forward to the gateway); everything else the CLI.
const entry =
  command === 'hook'
    ? import('../dist/app/hook-command.js').then((m) => m.hookMain(rest).then(() => process.exitCode ?? 0))
    : import('../dist/app/cli.js').then((m) => m.main(process.argv.slice(2)));
entry.then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`airlock: internal error: ${err?.stack ?? err}\n`);
    // A hook that fails must still block the tool call: 2 is "block" for every client.
    process.exitCode = command === 'hook' ? 2 : 70;
  },
);
