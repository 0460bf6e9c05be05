// The Remotion entry point: `npx remotion studio|render|still`, and the bundle deployed as the Lambda site.
import { registerRoot } from 'remotion';
import { RemotionRoot } from './Root';

registerRoot(RemotionRoot);
