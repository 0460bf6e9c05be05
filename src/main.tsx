import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app';
import { SetupNeeded } from './app/setup-needed';
import { isLocalMode, loadAmplifyOutputs, readRenderLimits } from './lib/amplify-outputs';
import { configureAmplify } from './lib/configure-amplify';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element.');
const root = createRoot(container);

const result = await loadAmplifyOutputs();
if (result.ok) {
  const { authFlow } = configureAmplify(result.outputs);
  root.render(
    <StrictMode>
      <App
        authFlow={authFlow}
        renderLimits={readRenderLimits(result.outputs)}
        renderTarget={isLocalMode(result.outputs) ? 'local' : 'cloud'}
      />
    </StrictMode>,
  );
} else {
  root.render(<SetupNeeded reason={result.reason} message={result.message} />);
}
