// Issue 12 from the palette: CNN Lab: Sweep… on a model file with a 2×2 sweep block (shapes, a
// quick trial per variant) trains four runs of one experiment with the grid's values; the
// experiment panel follows them to the end and highlights the best row, the one whose run has the
// highest val_acc on disk; the Runs view shows the experiment row.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import type { Workbench } from './harness/workbench';
import { readRuns } from './harness/workspace';
import { useCodeServerSession } from './harness/session';

const sweepModel = 'sweep-shapes.model.json';
const grid = { learningRate: [0.001, 0.004], 'conv2d.filters': [4, 8] };

/** Waits until the panel's table shows `count` completed variants. */
async function completedRows(panel: Frame, count: number, timeoutMs: number): Promise<void> {
  const rows = panel.locator('[data-testid="experiment-table"] tbody tr[data-status="completed"]');
  const deadline = Date.now() + timeoutMs;
  while ((await rows.count()) < count) {
    if (Date.now() > deadline) throw new Error(`the panel showed ${await rows.count()} completed variants after ${timeoutMs} ms`);
    await panel.page().waitForTimeout(500);
  }
}

describe('e2e: a sweep started from the palette', function () {
  let workbench: Workbench;
  let workspace: string;

  useCodeServerSession('sweeps', {
    trusted: true,
    settings: { 'cnnLab.backend': 'cpu' },
    // The shapes sample with a sweep block: two learning rates × two filter counts of the first convolution.
    prepare: (folder) => {
      const model = JSON.parse(readFileSync(join(folder, 'shapes-cnn.model.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(folder, sweepModel), `${JSON.stringify({ ...model, name: 'sweep-shapes', sweep: { method: 'grid', parameters: grid, metric: 'val_acc', goal: 'max' } }, null, 2)}\n`);
    },
  }, (opened) => {
    ({ workspace, workbench } = opened);
  });

  it('trains the four variants as runs of one experiment, and the experiment panel highlights the best', async function () {
    this.timeout(900_000);
    await workbench.openFile(sweepModel);
    await workbench.runCommand('CNN Lab: Sweep…');
    await workbench.pickQuickItem('Run the sweep in the file');
    await workbench.pickQuickItem(/Quick trial/);

    const panel = await workbench.webviewFrame('experiment-page', 120_000);
    const sweepStatus = workbench.page.locator('.statusbar', { hasText: /Sweep \d of 4/ });
    await sweepStatus.waitFor({ timeout: 120_000 });
    await completedRows(panel, 1, 600_000);
    await workbench.screenshot('60-sweep-running');
    await completedRows(panel, 4, 800_000);
    await panel.locator('[data-testid="experiment-page"][data-state="done"]').waitFor({ timeout: 60_000 });
    // Every variant with its result: a line each in the parallel-coordinates plot.
    await panel.locator('[data-testid="experiment-parallel"][data-lines="4"]').waitFor({ timeout: 30_000 });
    await sweepStatus.waitFor({ state: 'hidden', timeout: 30_000 });

    // On disk: four completed runs of one experiment, with the grid's values.
    const runs = readRuns(workspace).filter((run) => run.experiment);
    assert.equal(runs.length, 4, `runs of the sweep: ${runs.map((run) => run.id).join(', ')}`);
    assert.equal(new Set(runs.map((run) => run.experiment?.id)).size, 1, 'one experiment');
    assert.deepEqual(runs.map((run) => run.status), ['completed', 'completed', 'completed', 'completed']);
    const values = runs.map((run) => JSON.stringify(run.experiment?.values)).sort();
    const expected = grid.learningRate.flatMap((learningRate) => grid['conv2d.filters'].map((filters) => JSON.stringify({ learningRate, 'conv2d.filters': filters }))).sort();
    assert.deepEqual(values, expected);
    for (const run of runs) {
      const conv = run.summary.layers.find((layer) => layer.name === 'conv2d');
      assert.equal(conv?.outputShape.at(-1), run.experiment?.values['conv2d.filters'], `${run.id}: the variant's filters were trained`);
    }

    // The best row: one, and it is the run with the highest val_acc.
    const best = panel.locator('[data-testid="experiment-table"] tbody tr[data-best]');
    assert.equal(await best.count(), 1);
    const accuracy = (run: (typeof runs)[number]): number => run.bestMetrics?.val_acc ?? run.bestMetrics?.val_accuracy ?? -1;
    const bestRun = [...runs].sort((a, b) => accuracy(b) - accuracy(a) || (a.experiment?.variant ?? 0) - (b.experiment?.variant ?? 0))[0];
    assert.equal(Number(await best.getAttribute('data-variant')), bestRun.experiment?.variant);
    assert.equal(Number(await best.locator('td[data-metric]').getAttribute('data-metric')).toFixed(6), accuracy(bestRun).toFixed(6));
    await panel.locator('[data-testid="apply-best"]').waitFor({ state: 'visible' });
    await workbench.screenshot('60-sweep-experiment-panel');

    // The Runs view: the experiment row in the model's group.
    const sidebar = await workbench.openCnnLabSidebar();
    await sidebar.locator('.monaco-list-row', { hasText: 'sweep-shapes sweep (grid, 4 variants)' }).first().waitFor({ timeout: 60_000 });
    await workbench.screenshot('60-sweep-runs-view');
  });
});
