// Settings for the Remotion CLI (`npx remotion studio|render|still`); not used by the Lambda worker.
import { Config } from '@remotion/cli/config';

Config.setEntryPoint('remotion/index.ts');
// Debian's Chromium: Remotion must never try to download its own headless shell here.
Config.setBrowserExecutable('/usr/bin/chromium');
Config.setVideoImageFormat('jpeg');
