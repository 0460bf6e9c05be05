import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The studio's build: React, output in dist/ (Amplify Hosting serves it; `npm start` serves it locally). */
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    // Top-level await in main.tsx (the outputs are fetched before the first render).
    target: 'es2022',
    sourcemap: true,
  },
});
