// Runs inside VS Code's extension host (see ../runTest.ts): mocha, programmatically.
import Mocha from 'mocha';
import { extensionScenarios } from './extension.test';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: true, timeout: 60_000 });
  mocha.suite.emit('pre-require', globalThis, 'extension.test', mocha);
  extensionScenarios();
  return new Promise((resolveRun, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolveRun()));
  });
}
