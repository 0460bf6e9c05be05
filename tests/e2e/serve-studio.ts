// Manual use: `npx tsx tests/e2e/serve-studio.ts [port]` runs the studio over a stack in a temp folder
// (not `.local/`), for looking at the UI beside a running `npm start`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStudioServer } from './studio-server';

const server = await startStudioServer({
  dataDir: mkdtempSync(join(tmpdir(), 'studio-serve-')),
  renderer: process.env.RENDERER === 'stub' ? 'stub' : 'remotion',
  port: Number(process.argv[2] ?? 5391),
  onLog: (line) => console.log(`  ${line}`),
});
console.log(`studio ready: ${server.studioUrl}`);
const stop = () => void server.stop().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
