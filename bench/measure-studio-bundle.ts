import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCommand } from './run-command';

/**
 * The JavaScript a browser loads before the studio can start: the module entry script(s) and the
 * chunks Vite marks `modulepreload` (static imports of the entry). Lazy chunks are not in the HTML.
 */
export function listInitialScripts(html: string): string[] {
  const found: string[] = [];
  for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) {
    const src = readAttribute(tag, 'src');
    if (src && readAttribute(tag, 'type') === 'module') found.push(src);
  }
  for (const tag of html.match(/<link\b[^>]*>/gi) ?? []) {
    const href = readAttribute(tag, 'href');
    if (href && readAttribute(tag, 'rel') === 'modulepreload') found.push(href);
  }
  return [...new Set(found)];
}

function readAttribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return match ? (match[1] ?? match[2] ?? match[3]) : undefined;
}

/** Resolves a script URL from index.html (e.g. `/assets/index-abc.js`, `./assets/…`) to a file in `outDir`. */
export function resolveBuiltFile(outDir: string, url: string): string {
  if (/^[a-z]+:\/\//i.test(url)) {
    throw new Error(`expected a script served from the build, but index.html references ${url}`);
  }
  const path = url.replace(/[?#].*$/, '').replace(/^\.?\//, '');
  return join(outDir, path);
}

/** Gzipped size (zlib default level, as most servers and CDNs use) of the built initial scripts. */
export function measureInitialScripts(outDir: string): { gzipBytes: number; files: string[] } {
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  const files = listInitialScripts(html);
  if (files.length === 0) {
    throw new Error(
      `expected dist/index.html to reference a module script, but it references none`,
    );
  }
  const gzipBytes = files.reduce(
    (sum, url) => sum + gzipSync(readFileSync(resolveBuiltFile(outDir, url))).length,
    0,
  );
  return { gzipBytes, files };
}

/** Runs `vite build` into a temporary folder (leaving the project's `dist/` alone) and measures it. */
export async function measureStudioBundle(
  cwd: string,
  log: (line: string) => void,
): Promise<{ gzipKb: number; files: string[]; buildMs: number }> {
  const outDir = mkdtempSync(join(tmpdir(), 'bench-studio-'));
  try {
    const started = Date.now();
    await runCommand('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir'], cwd, log);
    const buildMs = Date.now() - started;
    const { gzipBytes, files } = measureInitialScripts(outDir);
    return { gzipKb: Math.round((gzipBytes / 1024) * 10) / 10, files, buildMs };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
