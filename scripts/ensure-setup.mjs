// Pre-step of `npm start` and `npm test`: installs what a fresh machine lacks.
// Node built-ins only, because it runs before the npm dependencies exist.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const stampFile = join(root, 'node_modules', '.render-studio-setup');

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(
      `render-studio setup: \`${command} ${args.join(' ')}\` failed (exit ${result.status}).`,
    );
    process.exit(result.status ?? 1);
  }
}

function commandWorks(command, args) {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

function ensureNpmDependencies() {
  const lockFile = join(root, 'package-lock.json');
  const manifest = readFileSync(existsSync(lockFile) ? lockFile : join(root, 'package.json'));
  const wanted = createHash('sha256').update(manifest).digest('hex');
  const have = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
  if (have === wanted) return;
  console.log('render-studio setup: installing npm dependencies (missing or stale)…');
  run(
    'npm',
    existsSync(lockFile)
      ? ['ci', '--no-audit', '--no-fund']
      : ['install', '--no-audit', '--no-fund'],
  );
  writeFileSync(stampFile, wanted);
}

function ensureDebianPackages() {
  const missing = [];
  if (!existsSync('/usr/bin/chromium')) missing.push('chromium');
  if (!commandWorks('java', ['-version'])) missing.push('default-jre-headless');
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    console.error(
      `render-studio setup: missing ${missing.join(' and ')}; run: sudo sh -c '${command}'`,
    );
    process.exit(1);
  }
  console.log(`render-studio setup: installing ${missing.join(' and ')} with apt-get…`);
  run('sh', ['-c', `DEBIAN_FRONTEND=noninteractive ${command}`]);
}

ensureDebianPackages();
ensureNpmDependencies();
