// Root hooks for the e2e suite: each run starts with an empty artifacts folder, so the
// screenshots there are this run's.
import { rmSync } from 'node:fs';
import { artifactsDir } from './workbench';

export const mochaHooks = {
  beforeAll(): void {
    rmSync(artifactsDir, { recursive: true, force: true });
  },
};
