import { useCallback, useMemo, useState } from 'react';
import { compositionCatalog } from '../../remotion/catalog';
import type { CompositionComponents } from '../lib/composition';
import { createAmplifyBatchesApi } from '../features/batch/api/amplify-batches-api';
import type { BatchesApi } from '../features/batch/api/batches-api';
import { BatchPanel } from '../features/batch/components/batch-panel';
import { BatchesSection } from '../features/batch/components/batches-section';
import { useBatches } from '../features/batch/hooks/use-batches';
import { createAmplifyJobsApi } from '../features/jobs/api/amplify-jobs-api';
import type { JobsApi } from '../features/jobs/api/jobs-api';
import {
  createAmplifyOperationsApi,
  type OperationsApi,
} from '../features/operations/api/operations-api';
import { OperationsView } from '../features/operations/components/operations-view';
import { useIsAdmin } from '../features/operations/hooks/use-operations';
import { JobsPanel } from '../features/jobs/components/jobs-panel';
import { createAmplifyWebhooksApi, type WebhooksApi } from '../features/webhooks/api/webhooks-api';
import { WebhooksPanel } from '../features/webhooks/components/webhooks-panel';
import { useJobs } from '../features/jobs/hooks/use-jobs';
import {
  Studio,
  type RenderBatchAction,
  type RenderRequest,
} from '../features/studio/components/studio';
import type { SignedInUser } from '../features/auth/components/auth-gate';
import type { RenderLimits } from '../../contract/render-limits';
import type { RenderTarget } from '../../contract/output-formats';
import { readInputProps, type Job } from '../features/jobs/api/jobs-api';
import { estimateFor, useEstimatePrice } from '../lib/render-estimate';

// Started once, on first use: the components carry Remotion, which loads with the Player, not before.
let componentsPromise: Promise<CompositionComponents> | undefined;
const loadComponents = () =>
  (componentsPromise ??= import('../../remotion/registry').then(({ compositionRegistry }) =>
    Object.fromEntries(compositionRegistry.map((entry) => [entry.id, entry.component])),
  ));

const compositionNames = Object.fromEntries(compositionCatalog.map((spec) => [spec.id, spec.name]));

/** The signed-in studio: header, gallery + editor + preview, and the live jobs panel. */
export default function StudioApp({
  user,
  api: givenApi,
  operationsApi: givenOperationsApi,
  batchesApi: givenBatchesApi,
  webhooksApi: givenWebhooksApi,
  renderLimits,
  renderTarget = 'cloud',
}: {
  user: SignedInUser;
  api?: JobsApi;
  operationsApi?: OperationsApi;
  batchesApi?: BatchesApi;
  webhooksApi?: WebhooksApi;
  /** What the deployment can render; absent for deployments that publish no limits. */
  renderLimits?: RenderLimits;
  /** Local mode or the cloud (amplify_outputs.json); default the cloud. */
  renderTarget?: RenderTarget;
}) {
  const api = useMemo(() => givenApi ?? createAmplifyJobsApi(), [givenApi]);
  const operationsApi = useMemo(
    () => givenOperationsApi ?? createAmplifyOperationsApi(),
    [givenOperationsApi],
  );
  // Shown to the admins group only; the server refuses everyone else whatever the page shows.
  const isAdmin = useIsAdmin(operationsApi);
  const [view, setView] = useState<'studio' | 'operations'>('studio');
  const [showWebhooks, setShowWebhooks] = useState(false);
  const webhooksApi = useMemo(
    () => givenWebhooksApi ?? createAmplifyWebhooksApi(),
    [givenWebhooksApi],
  );
  const jobs = useJobs(api);
  const batchesApi = useMemo(() => givenBatchesApi ?? createAmplifyBatchesApi(), [givenBatchesApi]);
  const batches = useBatches(batchesApi);
  const { showBatch } = batches;
  const renderBatchAction = useCallback<RenderBatchAction>(
    (context) => <BatchPanel {...context} api={batchesApi} onSubmitted={showBatch} />,
    [batchesApi, showBatch],
  );
  const { createJob } = jobs;
  // Each job card shows the estimate its render had before Render, beside the actual figures.
  const estimatePrice = useEstimatePrice(renderTarget);
  const estimateOf = useCallback(
    (job: Job) => {
      const spec = compositionCatalog.find((candidate) => candidate.id === job.compositionId);
      if (!spec) return null;
      let props: Record<string, unknown>;
      try {
        props = readInputProps(job);
      } catch {
        return null;
      }
      const parsed = spec.schema.safeParse(props);
      const durationInFrames = parsed.success
        ? (spec.calculateDurationInFrames?.(parsed.data as never) ?? spec.durationInFrames)
        : spec.durationInFrames;
      return estimateFor(
        { width: spec.width, height: spec.height, durationInFrames },
        job,
        renderTarget,
        {
          ...(renderLimits ? { renderersPerRender: renderLimits.renderersPerRender } : {}),
          ...(estimatePrice ? { estimatePrice } : {}),
        },
      );
    },
    [estimatePrice, renderLimits, renderTarget],
  );
  const render = useCallback(
    async ({ compositionId, props, title, output, metadata }: RenderRequest) => {
      await createJob({
        compositionId,
        inputProps: props,
        title,
        ...output,
        ...(metadata ? { metadata } : {}),
      });
    },
    [createJob],
  );

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="brand__mark" aria-hidden="true" />
          <span className="brand__name">Render Studio</span>
        </div>
        <div className="topbar__user">
          {isAdmin ? (
            <button
              type="button"
              className="button button--ghost"
              aria-pressed={view === 'operations'}
              onClick={() => setView(view === 'operations' ? 'studio' : 'operations')}
            >
              {view === 'operations' ? 'Studio' : 'Operations'}
            </button>
          ) : null}
          <button
            type="button"
            className="button button--ghost"
            aria-pressed={showWebhooks}
            onClick={() => setShowWebhooks(!showWebhooks)}
          >
            Webhooks
          </button>
          <span className="topbar__email" title={user.email}>
            {user.email}
          </span>
          <button
            type="button"
            className="button button--ghost"
            onClick={() => void user.signOut()}
          >
            Sign out
          </button>
        </div>
      </header>
      {isAdmin && view === 'operations' ? <OperationsView api={operationsApi} /> : null}
      {showWebhooks ? <WebhooksPanel api={webhooksApi} /> : null}
      <main className="layout" hidden={isAdmin === true && view === 'operations'}>
        <Studio
          compositions={compositionCatalog}
          components={loadComponents()}
          onRender={render}
          renderLimits={renderLimits}
          renderBatchAction={renderBatchAction}
          renderTarget={renderTarget}
        />
        <JobsPanel
          api={api}
          jobs={jobs}
          compositionNames={compositionNames}
          batches={
            <BatchesSection
              api={batchesApi}
              batches={batches}
              compositionNames={compositionNames}
            />
          }
          estimateOf={estimateOf}
        />
      </main>
    </div>
  );
}
