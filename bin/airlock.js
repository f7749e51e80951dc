#!/usr/bin/env node
// The `airlock` command. The TypeScript sources are compiled to dist/ by `npm ci` (prepare).
import('../dist/app/cli.js').then((m) => m.main(process.argv.slice(2))).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`airlock: internal error: ${err?.stack ?? err}\n`); process.exitCode = 70; },
);
