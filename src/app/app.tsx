import { lazy, Suspense } from 'react';
import { AuthGate } from '../features/auth/components/auth-gate';
import type { AuthFlow } from '../lib/configure-amplify';
import type { RenderLimits } from '../../contract/render-limits';
import type { RenderTarget } from '../../contract/output-formats';

// The workspace (data client, schemas, forms) loads once someone is signed in; the first paint needs none of it.
const StudioApp = lazy(() => import('./studio-app'));

/** The whole studio: sign-in first, then the workspace; `renderLimits` is what the deployment can render. */
export function App({
  authFlow,
  renderLimits,
  renderTarget,
}: {
  authFlow: AuthFlow;
  renderLimits?: RenderLimits;
  /** Local mode or the cloud: which formats exist and whether estimates have a cost. */
  renderTarget?: RenderTarget;
}) {
  return (
    <AuthGate authFlow={authFlow}>
      {(user) => (
        <Suspense
          fallback={
            <div className="splash" aria-busy="true">
              <span className="brand__mark" aria-hidden="true" /> Opening the studio…
            </div>
          }
        >
          <StudioApp user={user} renderLimits={renderLimits} renderTarget={renderTarget} />
        </Suspense>
      )}
    </AuthGate>
  );
}
