import { lazy, Suspense } from 'react';
import { AuthGate } from '../features/auth/components/auth-gate';
import type { AuthFlow } from '../lib/configure-amplify';
import type { RenderLimits } from '../../contract/render-limits';

// The workspace (data client, schemas, forms) loads once someone is signed in; the first paint needs none of it.
const StudioApp = lazy(() => import('./studio-app'));

/** The whole studio: sign-in first, then the workspace; `renderLimits` is what the deployment can render. */
export function App({
  authFlow,
  renderLimits,
}: {
  authFlow: AuthFlow;
  renderLimits?: RenderLimits;
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
          <StudioApp user={user} renderLimits={renderLimits} />
        </Suspense>
      )}
    </AuthGate>
  );
}
