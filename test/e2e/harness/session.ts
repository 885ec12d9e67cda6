// One code-server and one browser per scenario file, on a fresh copy of the samples, torn down
// after the file's tests; a failing test leaves its screenshot and the server's log behind.
import type { Browser } from 'playwright-core';
import { startCodeServer, type CodeServerOptions, type RunningCodeServer } from './codeServer';
import { keepFailureEvidence, launchBrowser, Workbench } from './workbench';
import { createWorkspace } from './workspace';

export interface OpenedSession {
  workspace: string;
  workbench: Workbench;
}

export interface SessionOptions extends Omit<CodeServerOptions, 'workspace'> {
  /** Changes to the workspace's copy of the samples, made before code-server opens it. */
  prepare?: (workspace: string) => void;
}

/** Registers the describe block's hooks; `onOpen` receives the workspace and workbench once they are up. */
export function useCodeServerSession(label: string, options: SessionOptions, onOpen: (session: OpenedSession) => void): void {
  let server: RunningCodeServer | undefined;
  let browser: Browser | undefined;
  let workbench: Workbench | undefined;

  before(async function () {
    const { prepare, ...serverOptions } = options;
    const workspace = createWorkspace(label);
    prepare?.(workspace);
    server = await startCodeServer({ ...serverOptions, workspace });
    browser = await launchBrowser();
    workbench = await Workbench.open(browser, server.url);
    onOpen({ workspace, workbench });
  });

  afterEach(async function () {
    await keepFailureEvidence(this.currentTest, workbench, server?.log());
  });

  after(async function () {
    await browser?.close();
    await server?.stop();
  });
}
