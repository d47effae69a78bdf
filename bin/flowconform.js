#!/usr/bin/env node
// The published bin: runs the compiled entry point dist/bin/flowconform.js (source:
// bin/flowconform.ts), plain JavaScript, nothing compiled at run time. `npm ci` builds
// dist/ (npm `prepare`); after editing sources, `npm run build` (npm start and npm test
// build first by themselves).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bin/flowconform.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('flowconform: not built: dist/bin/flowconform.js is missing; run `npm run build`\n');
  process.exit(3);
}
await import(entry.href);
