// Scenarios 3–6: train from the command palette, stop a run, reload the window, compare runs —
// on screen (panel webview, Runs view) and on disk (.cnnlab/runs/<id>/run.json, metrics.jsonl).
import assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import type { RunRecord } from '../../src/runs/format';
import { runTitle } from '../../src/runs/grouping';
import { runRows, type Workbench } from './harness/workbench';
import { epochLines, readRuns, waitFor } from './harness/workspace';
import { compareRunsFromPalette } from './harness/runNames';
import { useCodeServerSession } from './harness/session';

const shapesModel = 'shapes-cnn.model.json';

interface PanelReading {
  status: string;
  epochs: number;
  lossPoints: number;
  accuracyPoints: number;
}

async function readPanel(panel: Frame): Promise<PanelReading> {
  const attribute = async (testId: string, name: string): Promise<string> =>
    (await panel.locator(`[data-testid="${testId}"]`).first().getAttribute(name)) ?? '';
  return {
    status: await attribute('run-status', 'data-status'),
    epochs: Number((await panel.locator('[data-testid="epoch-count"]').first().textContent()) ?? 'NaN'),
    lossPoints: Number(await attribute('chart-loss', 'data-points')),
    accuracyPoints: Number(await attribute('chart-accuracy', 'data-points')),
  };
}

/** Polls the panel until the run leaves `running`, recording what it showed after each epoch. */
async function watchUntilFinished(panel: Frame, timeoutMs: number): Promise<PanelReading[]> {
  const readings: PanelReading[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reading = await readPanel(panel);
    if (readings.length === 0 || reading.epochs !== readings[readings.length - 1].epochs || reading.status !== readings[readings.length - 1].status) {
      readings.push(reading);
    }
    if (['completed', 'stopped', 'failed', 'interrupted'].includes(reading.status)) return readings;
    if (Date.now() > deadline) throw new Error(`the run was still ${reading.status} after ${timeoutMs} ms: ${JSON.stringify(readings)}`);
    await panel.page().waitForTimeout(200);
  }
}

describe('e2e: training from the command palette (shapes sample)', function () {
  let workbench: Workbench;
  let workspace: string;
  let completedRun: RunRecord;
  let stoppedRun: RunRecord;

  // The pure-JS CPU backend: on a 2-core machine without a GPU it beats WebGPU on lavapipe for
  // this small model, and it is the one backend every machine has.
  useCodeServerSession('training', { trusted: true, settings: { 'cnnLab.backend': 'cpu' } }, (opened) => {
    ({ workspace, workbench } = opened);
  });

  it('trains: the panel opens, curves grow epoch by epoch, test accuracy ≥ 90 %, the Runs view lists it', async function () {
    this.timeout(600_000);
    await workbench.openFile(shapesModel);
    await workbench.runCommand('CNN Lab: Train Model');
    // The shapes CNN trains an epoch in seconds now; 7 epochs (early stopping may end it sooner)
    // leave the panel time to be watched epoch by epoch, and stay under the chart's point cap, past
    // which curves are thinned rather than grown.
    await workbench.pickQuickItem('Change epochs');
    await workbench.answerInputBox('7');
    await workbench.pickQuickItem('Start with these settings');

    const panel = await workbench.webviewFrame('run-page');
    // Watched from the moment the panel is found; the screenshot is taken meanwhile.
    const watching = watchUntilFinished(panel, 540_000);
    await workbench.screenshot('03-training-started');
    const readings = await watching;
    const final = readings[readings.length - 1];
    await workbench.screenshot('03-training-completed');
    assert.equal(final.status, 'completed', `the panel's status: ${JSON.stringify(readings)}`);

    // Curves grow with the epochs: the more epochs the panel counted, the more points it drew.
    const byEpoch = readings.filter((reading) => reading.epochs >= 1);
    assert.ok(new Set(byEpoch.map((reading) => reading.epochs)).size >= 2, `the panel showed fewer than two epochs: ${JSON.stringify(readings)}`);
    for (let index = 1; index < byEpoch.length; index++) {
      if (byEpoch[index].epochs > byEpoch[index - 1].epochs) {
        assert.ok(byEpoch[index].lossPoints > byEpoch[index - 1].lossPoints, `loss curve did not grow: ${JSON.stringify(byEpoch)}`);
        assert.ok(byEpoch[index].accuracyPoints > byEpoch[index - 1].accuracyPoints, `accuracy curve did not grow: ${JSON.stringify(byEpoch)}`);
      }
    }

    const shownAccuracy = Number(await panel.locator('[data-testid="test-accuracy"]').textContent());
    assert.ok(shownAccuracy >= 0.9, `test accuracy on screen: ${shownAccuracy}`);

    const runs = readRuns(workspace);
    assert.equal(runs.length, 1, 'one run folder on disk');
    completedRun = runs[0];
    assert.equal(completedRun.status, 'completed');
    assert.ok(completedRun.evaluation && completedRun.evaluation.accuracy >= 0.9, `run.json evaluation: ${JSON.stringify(completedRun.evaluation)}`);
    assert.equal(completedRun.evaluation.accuracy.toFixed(4), shownAccuracy.toFixed(4), 'the panel shows the accuracy written to disk');
    assert.equal(epochLines(workspace, completedRun.id).length, completedRun.epochsCompleted, 'metrics.jsonl has one line per epoch');
    assert.equal(final.epochs, completedRun.epochsCompleted);

    const sidebar = await workbench.openCnnLabSidebar();
    const row = runRows(sidebar).first();
    await row.waitFor({ timeout: 30_000 });
    const label = (await row.getAttribute('aria-label')) ?? '';
    assert.match(label, /completed/, `Runs view row: ${label}`);
    assert.match(label, /val_acc \d/, `Runs view row shows the result: ${label}`);
    await workbench.screenshot('03-runs-view-completed');
  });

  it('stops a run from the panel: it is `stopped` and keeps its epochs, on screen and on disk', async function () {
    this.timeout(300_000);
    const earlierRuns = new Set(readRuns(workspace).map((record) => record.id));
    // One editor group again, so that the model file opens where the command will look for it.
    await workbench.runCommand('View: Close All Editors');
    await workbench.openFile(shapesModel);
    await workbench.runCommand('CNN Lab: Train Model');
    // Enough epochs that the run is certainly still going when Stop is pressed.
    await workbench.pickQuickItem('Change epochs');
    await workbench.answerInputBox('40');
    await workbench.pickQuickItem('Start with these settings');

    const panel = await workbench.webviewFrame('run-page');
    const runningRunId = await waitFor(
      'a second run folder',
      () => readRuns(workspace).find((record) => !earlierRuns.has(record.id))?.id,
      120_000,
    );
    await panel.locator('[data-testid="epoch-count"]', { hasText: /^[1-9]/ }).waitFor({ timeout: 240_000 });
    await panel.locator('[data-testid="stop-button"]').click();
    await panel.locator('[data-testid="run-status"][data-status="stopped"]').waitFor({ timeout: 60_000 });
    await workbench.screenshot('04-run-stopped');

    const shownEpochs = Number(await panel.locator('[data-testid="epoch-count"]').textContent());
    stoppedRun = await waitFor(
      'run.json of the stopped run to say stopped',
      () => readRuns(workspace).find((record) => record.id === runningRunId && record.status === 'stopped'),
      30_000,
    );
    assert.ok(stoppedRun.epochsCompleted >= 1, `kept epochs: ${stoppedRun.epochsCompleted}`);
    assert.ok(stoppedRun.epochsCompleted < 40, 'stopped before the end');
    assert.equal(stoppedRun.epochsPlanned, 40);
    assert.equal(shownEpochs, stoppedRun.epochsCompleted, 'the panel shows the epochs kept on disk');
    assert.equal(epochLines(workspace, stoppedRun.id).length, stoppedRun.epochsCompleted, 'metrics.jsonl keeps every finished epoch');
  });

  it('after a window reload the Runs view still lists both runs, and a run reopens with its curves', async function () {
    this.timeout(180_000);
    await workbench.runCommand('Developer: Reload Window');
    await workbench.page.waitForTimeout(1_000);
    await workbench.waitUntilReady();
    const sidebar = await workbench.openCnnLabSidebar();
    const rows = runRows(sidebar);
    await rows.nth(1).waitFor({ timeout: 60_000 });
    const labels = await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('aria-label') ?? ''));
    assert.ok(labels.some((label) => /completed/.test(label)), `rows: ${labels.join(' | ')}`);
    assert.ok(labels.some((label) => /stopped/.test(label)), `rows: ${labels.join(' | ')}`);
    await workbench.screenshot('05-runs-after-reload');

    await sidebar.locator(`.monaco-list-row[aria-label*="completed"]`).first().click();
    const panel = await workbench.webviewFrameShowing('[data-testid="run-status"][data-status="completed"]');
    const reading = await readPanel(panel);
    assert.equal(reading.epochs, completedRun.epochsCompleted);
    assert.ok(reading.lossPoints >= completedRun.epochsCompleted, `loss curve points after reopening: ${reading.lossPoints}`);
    assert.ok(reading.accuracyPoints >= completedRun.epochsCompleted, `accuracy curve points after reopening: ${reading.accuracyPoints}`);
    await workbench.screenshot('05-run-reopened');
  });

  it('compares two runs: overlaid curves and the table', async function () {
    this.timeout(120_000);
    const panel = await compareRunsFromPalette(workbench, [completedRun.label ?? completedRun.id, stoppedRun.label ?? stoppedRun.id]);
    const table = panel.locator('[data-testid="compare-table"]');
    await table.waitFor({ timeout: 30_000 });
    const tableText = (await table.textContent()) ?? '';
    // Named as the Runs view names them: `<model> #<n>`, numbered among the model's runs on disk.
    const allRuns = readRuns(workspace);
    for (const record of [completedRun, stoppedRun]) {
      const name = runTitle(record, allRuns);
      assert.match(name, /#\d+$/);
      assert.ok(tableText.includes(name), `the table names run ${record.id} as ${name}: ${tableText}`);
    }
    assert.match(tableText, /completed/);
    assert.match(tableText, /stopped/);
    const lossSeries = Number(await panel.locator('[data-testid="chart-loss"]').getAttribute('data-series'));
    assert.ok(lossSeries >= 2, `overlaid loss lines: ${lossSeries}`);
    await workbench.screenshot('06-compare-runs');
  });
});
