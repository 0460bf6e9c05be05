import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REVIEWED_NAG_FINDINGS, reviewOf } from '../../amplify/nag-suppressions';
import { synthesizeForTests, type SynthesizedBackend } from './synthesized-backend';

/** The parts of CDK's validation-report.json (aws-cdk-lib 2.276) this test reads. */
interface ReportedViolation {
  ruleName: string;
  description: string;
  severity: string;
  violatingConstructs: { constructPath: string }[];
  acknowledgedId?: string;
  reason?: string;
}
interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations: ReportedViolation[];
    suppressedViolations?: ReportedViolation[];
  }[];
}

/** One finding: a rule (with its finding id) on one construct. */
interface Finding {
  id: string;
  path: string;
  message: string;
  reason?: string;
}

const flatten = (violations: ReportedViolation[] = []): Finding[] =>
  violations.flatMap((violation) =>
    violation.violatingConstructs.map((construct) => ({
      id: violation.ruleName,
      // Below the root stack, whose name differs per environment.
      path: construct.constructPath.split('/').slice(1).join('/'),
      message: `${violation.severity}: ${violation.description}`,
      reason: violation.reason,
    })),
  );

describe('cdk-nag AwsSolutions checks on the synthesized backend', () => {
  let backend: SynthesizedBackend;
  let unsuppressed: Finding[];
  let suppressed: Finding[];

  beforeAll(() => {
    backend = synthesizeForTests({ nag: true });
    const reportPath = join(backend.outDir, 'validation-report.json');
    if (!existsSync(reportPath)) {
      throw new Error(
        `Expected cdk-nag's results in ${reportPath}, but synthesis wrote none: check that ` +
          'amplify/backend.ts still calls enableNagChecksWhenAsked.',
      );
    }
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as ValidationReport;
    const nag = report.pluginReports.filter((plugin) => plugin.pluginName === 'AwsSolutions');
    unsuppressed = flatten(nag.flatMap((plugin) => plugin.violations));
    suppressed = flatten(nag.flatMap((plugin) => plugin.suppressedViolations ?? []));
    const found = unsuppressed.length + suppressed.length;
    const byRule = new Map<string, number>();
    for (const { id } of suppressed) {
      const rule = id.replace(/\[.*$/, '');
      byRule.set(rule, (byRule.get(rule) ?? 0) + 1);
    }
    console.info(
      `cdk-nag AwsSolutions: ${found} found, ${suppressed.length} suppressed as reviewed ` +
        `(${[...byRule].map(([rule, count]) => `${rule} ×${count}`).join(', ')}), ` +
        `${unsuppressed.length} unsuppressed.`,
    );
  });

  afterAll(() => {
    if (backend) rmSync(backend.outDir, { recursive: true, force: true });
  });

  it('ran: Amplify-generated resources always give it findings to report', () => {
    // A report without any AwsSolutions finding means the pack never ran, not a clean backend.
    expect(suppressed.length + unsuppressed.length).toBeGreaterThan(0);
  });

  it('leaves no finding unsuppressed', () => {
    const listed = unsuppressed.map(
      (finding) => `${finding.id} at ${finding.path}\n    ${finding.message}`,
    );
    expect(
      listed,
      'Fix each of these in the resource, or if it is safe here, add it to ' +
        'REVIEWED_NAG_FINDINGS in amplify/nag-suppressions.ts with the reason why',
    ).toEqual([]);
  });

  it('suppresses only reviewed findings, each with its reason', () => {
    const unreviewed = suppressed.filter((finding) => {
      const accepted = reviewOf(finding.path, finding.id);
      return !accepted || accepted.review.reason !== finding.reason;
    });
    expect(
      unreviewed.map((finding) => `${finding.id} at ${finding.path}: ${finding.reason}`),
      'Suppressed outside REVIEWED_NAG_FINDINGS (amplify/nag-suppressions.ts)',
    ).toEqual([]);
    for (const { reason } of REVIEWED_NAG_FINDINGS) {
      // A reason says why it is safe here, not just "reviewed".
      expect(reason.length, `Reason too short to say why: "${reason}"`).toBeGreaterThan(80);
    }
  });

  it('has no stale review: every reviewed finding still occurs', () => {
    const used = new Map(REVIEWED_NAG_FINDINGS.map((review) => [review, new Set<unknown>()]));
    for (const finding of suppressed) {
      const accepted = reviewOf(finding.path, finding.id);
      if (accepted) used.get(accepted.review)!.add(accepted.finding);
    }
    const stale = REVIEWED_NAG_FINDINGS.flatMap((review) =>
      review.findings
        .filter((finding) => !used.get(review)!.has(finding))
        .map((finding) => `${String(finding)} at ${review.path}`),
    );
    expect(
      stale,
      'These reviews match no finding any more: remove them from amplify/nag-suppressions.ts',
    ).toEqual([]);
  });
});
