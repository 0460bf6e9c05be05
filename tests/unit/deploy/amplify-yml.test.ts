import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Phases {
  phases: Record<string, { commands: string[] }>;
}

const buildSpec = parse(
  readFileSync(join(import.meta.dirname, '../../../amplify.yml'), 'utf8'),
) as { backend: Phases; frontend: Phases };

describe('amplify.yml (Amplify Hosting builds)', () => {
  const phases = (['backend', 'frontend'] as const).flatMap((part) =>
    Object.entries(buildSpec[part].phases).map(
      ([name, phase]) => [`${part}.${name}`, phase] as const,
    ),
  );

  it('has a backend deploy and a frontend build', () => {
    expect(phases.map(([name]) => name)).toEqual(
      expect.arrayContaining(['backend.build', 'frontend.build']),
    );
  });

  // Each phase is a fresh shell on the build image's default Node unless it selects another.
  it.each(phases)('%s selects Node 22 before anything else runs', (_name, phase) => {
    const selected = /^nvm (install|use) (\d+)/.exec(phase.commands[0] ?? '');
    expect(selected, `first command: ${phase.commands[0]}`).not.toBeNull();
    expect(Number(selected![2])).toBeGreaterThanOrEqual(22);
  });
});
