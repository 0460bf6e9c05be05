import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CloudFormationValidatePlugin } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { synthesizeBackend, type SynthesizeOptions } from '../../scripts/synth';

/** A CloudFormation template as plain JSON. */
export interface TemplateJson {
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[] }
  >;
  Parameters?: Record<string, unknown>;
  Mappings?: Record<string, unknown>;
}

/** The synthesized backend: every template, by stack, and the assets beside them. */
export interface SynthesizedBackend {
  outDir: string;
  root: TemplateJson;
  /** Nested template by its path under the root, e.g. `data`, `remotion`, `dataamplifyDataJob`. */
  nested: (path: string) => { json: TemplateJson; template: Template };
  /** Text of a file asset (a VTL resolver, the GraphQL schema) by the hash in its S3 key. */
  asset: (fileName: string) => string;
  /** Every template: the root's and each nested stack's. */
  all: () => { name: string; json: TemplateJson }[];
}

/** Synthesizes amplify/backend.ts offline into a fresh temp dir (asset bundling skipped). */
export const synthesizeForTests = (
  options: Omit<SynthesizeOptions, 'skipBundling'> = {},
): SynthesizedBackend => {
  const outDir = mkdtempSync(join(tmpdir(), 'render-studio-synth-'));
  const templates = synthesizeBackend(outDir, { ...options, skipBundling: true });
  const rootName = templates.find((name) => !name.includes('.nested.'));
  if (!rootName) throw new Error(`No root template among ${templates.join(', ')}`);
  const rootPrefix = rootName.replace('.template.json', '').replace(/[^A-Za-z0-9]/g, '');
  const read = (name: string) =>
    JSON.parse(readFileSync(join(outDir, name), 'utf8')) as TemplateJson;
  return {
    outDir,
    root: read(rootName),
    nested(path) {
      const pattern = new RegExp(`^${rootPrefix}${path}[0-9A-F]{8}\\.nested\\.template\\.json$`);
      const matches = templates.filter((name) => pattern.test(name));
      if (matches.length !== 1) {
        throw new Error(
          `Expected one nested template for "${path}", found ${matches.length}: ${templates.join(', ')}`,
        );
      }
      const json = read(matches[0]!);
      return { json, template: Template.fromJSON(json) };
    },
    all: () => templates.map((name) => ({ name, json: read(name) })),
    asset(fileName) {
      const match = readdirSync(outDir).find((name) => name === `asset.${fileName}`);
      if (!match) throw new Error(`No asset ${fileName} in ${outDir}`);
      return readFileSync(join(outDir, match), 'utf8');
    },
  };
};

/** The asset file name (`<hash>.vtl`) a resource's S3 location property points at. */
export const assetFileOf = (s3Location: unknown): string => {
  const match = /([0-9a-f]{64}\.[a-z]+)"/.exec(JSON.stringify(s3Location));
  if (!match) throw new Error(`Not an asset S3 location: ${JSON.stringify(s3Location)}`);
  return match[1]!;
};

/** Runs CDK's CloudFormation validator over every template in `outDir`; returns its findings. */
export const validateAllTemplates = (outDir: string) => {
  const templatePaths = readdirSync(outDir)
    .filter((name) => name.endsWith('.template.json'))
    .map((name) => join(outDir, name));
  const stackTemplates = templatePaths.map((templatePath) => ({
    templatePath,
    stackConstructPath: templatePath,
    accountId: undefined,
    region: undefined,
  }));
  return new CloudFormationValidatePlugin().validate({
    templatePaths,
    stackTemplates,
    appConstruct: new App(), // unused by this plugin, required by the interface
  }).violations;
};
