// Issue 10, items 5, 8 and 13, on screen:
// - 5: while a run trains, the panel, the progress notification and the model file's last-run lens
//   count the same epoch; the completion toast names its metric, and its test accuracy is the
//   panel's and run.json's.
// - 8: runs are named `<model> #n` (or the user's label) in the Runs view, the panels' tabs (live
//   and reopened), the page headings and the compare legends, never by id (the id is in tooltips);
//   a rename and tags reach the Runs view, the open panel's tab and the open comparison.
// - 13: training, opening another run, comparing and the doctor all share one editor group beside
//   the model: never more than two groups, the model alone in the first.
//
// Each scenario trains the runs it needs and finds them by id, whatever the scenarios before it did
// and however fast the machine trains: a run watched while it trains is planned far longer than the
// watching needs and stopped by the scenario, or given epochs for about 20 s on this machine (timed
// on a run the scenario trained before) when it must also complete; the workspace's shapes model has
// no early stopping to end a run sooner.
import assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import { bestValAccuracy, runTitle } from '../../src/runs/grouping';
import {
  endedRun,
  endStatuses,
  epochsLasting,
  msPerEpoch,
  newRun,
  pressStop,
  runIds,
  runWithStatus,
  startFresh,
  stopLeftoverRuns,
  untilStopped,
  withoutEarlyStopping,
} from './harness/runs';
import { useCodeServerSession } from './harness/session';
import { runRows, type Workbench } from './harness/workbench';
import { pickContextMenuItem } from './harness/runLifecycle';
import { readRuns, waitFor } from './harness/workspace';
import {
  allTabTitles,
  answerTitledInputBox,
  compareRunsFromPalette,
  editorGroups,
  runRowText,
  textShown,
  toastTexts,
  visibleCodeLensTexts,
  waitForTab,
  waitForToast,
  watchEditorGroups,
  type EditorGroupReading,
} from './harness/runNames';

const shapesModel = 'shapes-cnn.model.json';

/** `epoch 2/5` (any case) → [2, 5]. */
function epochOf(text: string | undefined): [number, number] | undefined {
  const match = text === undefined ? null : /epoch (\d+)\s*\/\s*(\d+)/i.exec(text);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** Answers the train settings quick pick: `epochs`, then start. */
async function confirmTraining(workbench: Workbench, epochs: number): Promise<void> {
  await workbench.pickQuickItem('Change epochs');
  await workbench.answerInputBox(String(epochs));
  await workbench.pickQuickItem('Start with these settings');
}

async function panelStatus(panel: Frame): Promise<string> {
  return (await panel.locator('[data-testid="run-status"]').first().getAttribute('data-status').catch(() => '')) ?? '';
}

async function waitUntilEnded(panel: Frame, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await panelStatus(panel);
    if (endStatuses.includes(status)) return status;
    if (Date.now() > deadline) throw new Error(`the run was still ${status} after ${timeoutMs} ms`);
    await panel.page().waitForTimeout(250);
  }
}

/** The run page (in whichever webview) whose heading reads exactly `name`. */
async function runPageNamed(workbench: Workbench, name: string, timeoutMs = 60_000): Promise<Frame> {
  return workbench.webviewFrameShowing(`[data-testid="run-title"]:text-is(${JSON.stringify(name)})`, timeoutMs);
}

/** The legend entries of a chart of the compare page (the canvas's accessible label lists them). */
async function legendOf(panel: Frame, testId: string): Promise<string> {
  return (await panel.locator(`[data-testid="${testId}"] canvas`).first().getAttribute('aria-label')) ?? '';
}

/** The epoch as a user reads it at one moment in the panel, the progress notification and the model file's lens. */
interface EpochSample {
  status: string;
  panel?: [number, number];
  notification?: [number, number];
  lens?: [number, number];
  lensText?: string;
  notificationText?: string;
}

/**
 * Reads the three places a user sees the epoch of the run training in the panel, one right after
 * the other, round after round, until the run ends or `enough` says so of the epochs on which all
 * three agreed while it was running (`screenshot` is taken at the first such moment). A sample is
 * kept when it differs from the one before. The panel is looked up again when code-server replaces its frame.
 */
async function sampleEpochs(
  workbench: Workbench,
  enough: (agreed: Set<number>) => boolean,
  screenshot: string | undefined,
  timeoutMs: number,
): Promise<{ samples: EpochSample[]; agreed: Set<number>; panel: Frame }> {
  let panel = await workbench.webviewFrame('run-page');
  const samples: EpochSample[] = [];
  const agreed = new Set<number>();
  let screenshotTaken = false;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (panel.isDetached()) panel = await workbench.webviewFrame('run-page');
    const status = await panelStatus(panel);
    const done = Number((await panel.locator('[data-testid="epoch-count"]').first().textContent().catch(() => '')) ?? 'NaN');
    const total = Number((await panel.locator('[data-testid="epochs-planned"]').first().textContent().catch(() => '')) ?? 'NaN');
    const notificationText = (await toastTexts(workbench)).find((text) => /CNN Lab: training shapes-cnn/.test(text));
    const lensText = (await visibleCodeLensTexts(workbench)).find((text) => text.startsWith('last run'));
    const sample: EpochSample = {
      status,
      panel: Number.isFinite(done) && Number.isFinite(total) ? [done, total] : undefined,
      notification: epochOf(notificationText),
      lens: lensText && /running/.test(lensText) ? epochOf(lensText) : undefined,
      lensText,
      notificationText,
    };
    const last = samples[samples.length - 1];
    if (!last || JSON.stringify([last.status, last.panel, last.notification, last.lens]) !== JSON.stringify([sample.status, sample.panel, sample.notification, sample.lens])) samples.push(sample);
    if (
      status === 'running' &&
      sample.panel &&
      sample.panel[0] >= 1 &&
      JSON.stringify(sample.panel) === JSON.stringify(sample.notification) &&
      JSON.stringify(sample.panel) === JSON.stringify(sample.lens)
    ) {
      agreed.add(sample.panel[0]);
      if (screenshot && !screenshotTaken) {
        screenshotTaken = true;
        await workbench.screenshot(screenshot);
      }
    }
    if (endStatuses.includes(status) || enough(agreed)) return { samples, agreed, panel };
    if (Date.now() > deadline) throw new Error(`the run was still ${status} after ${timeoutMs / 1000} s:\n${reportOf(samples)}`);
    await workbench.page.waitForTimeout(100);
  }
}

/** The samples, a line each, for assertion messages. */
function reportOf(samples: EpochSample[]): string {
  return samples.map((sample) => `${sample.status} panel ${sample.panel?.join('/')} · notification ${sample.notification?.join('/') ?? '—'} · lens ${sample.lens?.join('/') ?? '—'}`).join('\n');
}

/** Every epoch count read while the run was running is out of the epochs asked for. */
function assertCountedOutOf(samples: EpochSample[], planned: number, report: string): void {
  for (const sample of samples) {
    for (const reading of [sample.panel, sample.notification, sample.lens]) {
      if (reading && sample.status === 'running') assert.equal(reading[1], planned, `an epoch count out of another total than ${planned}:\n${report}`);
    }
  }
}

/** A quick-pick row naming `name` itself, not a run whose number starts with the same digits (`#1` and `#12`). */
function named(name: string): RegExp {
  return new RegExp(`${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\d)`);
}

/** The model file alone in the first of at most two groups; CNN Lab's tabs in the second. */
function assertOneGroupBesideModel(groups: EditorGroupReading[], step: string): void {
  assert.ok(groups.length <= 2, `${step}: ${groups.length} editor groups: ${JSON.stringify(groups)}`);
  assert.ok(groups[0]?.tabs.includes(shapesModel), `${step}: the model file is not in the first group: ${JSON.stringify(groups)}`);
  assert.equal(groups[0].active, shapesModel, `${step}: the first group shows the model file: ${JSON.stringify(groups)}`);
  assert.ok(
    groups.slice(1).every((group) => !group.tabs.includes(shapesModel)),
    `${step}: the model file is open in a second group too: ${JSON.stringify(groups)}`,
  );
  assert.ok(
    groups[0].tabs.every((tab) => !tab.startsWith('CNN Lab')),
    `${step}: a CNN Lab panel opened over the model instead of beside it: ${JSON.stringify(groups)}`,
  );
}

describe('e2e: run names, one source of numbers, one editor group (issue 10 items 5, 8, 13)', function () {
  let workbench: Workbench;
  let workspace: string;

  // The pure-JS CPU backend, as in 20-training: every machine has it, and the shapes CNN trains an
  // epoch in seconds. The shapes model without early stopping: a run trains the epochs asked for,
  // until the scenario stops it.
  useCodeServerSession('run-names', { trusted: true, settings: { 'cnnLab.backend': 'cpu' }, prepare: (folder) => withoutEarlyStopping(folder, shapesModel) }, (opened) => {
    ({ workspace, workbench } = opened);
  });

  // Each scenario starts its own runs: one that failed leaves none training for the next.
  afterEach(async function () {
    if (workspace) await stopLeftoverRuns(workspace);
  });

  // The epochs of the run that completes in item 5: 3, not the file's 5 — every place counts out of the epochs asked for.
  const planned = 3;

  it('item 5: panel, progress notification and model lens count the same epoch; the toast names its metric and gives the test accuracy of the panel and run.json', async function () {
    this.timeout(720_000);
    await startFresh(workbench);
    await workbench.openFile(shapesModel);

    // While a run trains: one planned far longer than the watching needs (and not the file's 5:
    // every place counts out of the epochs asked for), stopped once the three places agreed on two epochs.
    const watchedBefore = runIds(workspace);
    await workbench.runCommand('CNN Lab: Train Model');
    await confirmTraining(workbench, untilStopped);
    const watchedId = (await newRun(workspace, watchedBefore)).id;
    const watched = await sampleEpochs(workbench, (agreed) => agreed.size >= 2, '05-numbers-agree', 420_000);
    const watchedReport = reportOf(watched.samples);
    const ended = endStatuses.includes(watched.samples[watched.samples.length - 1]?.status ?? '');
    if (!ended) await pressStop(workbench);
    // Two different epochs at least, each shown alike in all three places at one moment, out of the epochs asked for everywhere.
    assert.ok(watched.agreed.size >= 2, `panel, notification and lens agreed on ${watched.agreed.size} epoch(s) (${[...watched.agreed].join(', ')}) while running:\n${watchedReport}`);
    assertCountedOutOf(watched.samples, untilStopped, watchedReport);
    await runWithStatus(workspace, watchedId, 'stopped');

    // To the end: a run of `planned` epochs, read the same way until it completes.
    await startFresh(workbench);
    await workbench.openFile(shapesModel);
    const before = runIds(workspace);
    await workbench.runCommand('CNN Lab: Train Model');
    await confirmTraining(workbench, planned);
    const runId = (await newRun(workspace, before)).id;
    const { samples, panel } = await sampleEpochs(workbench, () => false, undefined, 360_000);
    const report = reportOf(samples);
    assert.equal(samples[samples.length - 1].status, 'completed', `the run did not complete:\n${report}`);
    assertCountedOutOf(samples, planned, report);

    // The completion toast: the run's name, each number named, the test accuracy first.
    const toast = await waitForToast(workbench, /CNN Lab: .* completed/, 60_000);
    const first = await runWithStatus(workspace, runId, 'completed');
    assert.ok(first.evaluation, 'run.json has a test evaluation');
    const toastTest = /test acc (\d\.\d{3})/.exec(toast);
    assert.ok(toastTest, `the toast names the test accuracy: ${toast}`);
    const toastVal = /val_acc (\d\.\d{3})/.exec(toast);
    assert.ok(toastVal, `the toast names the validation accuracy as val_acc: ${toast}`);
    assert.ok(toast.includes(runTitle(first, readRuns(workspace))), `the toast names the run ${runTitle(first, readRuns(workspace))}: ${toast}`);
    assert.ok(!toast.includes(first.id), `the toast names the run by id: ${toast}`);
    assert.match(toast, new RegExp(`${first.epochsCompleted}/${planned} epochs`), `the toast counts the epochs as the panel: ${toast}`);
    // The toast is cut at its width: the named test accuracy comes before the cut.
    const toastElement = workbench.page.locator('.notifications-toasts .notification-toast', { hasText: /completed/ }).first();
    assert.ok(await textShown(toastElement, `test acc ${toastTest[1]}`), `"test acc ${toastTest[1]}" is cut off the toast: ${toast}`);

    const shown = (await panel.locator('[data-testid="test-accuracy"]').textContent()) ?? '';
    const headline = ((await panel.locator('[data-testid="results"]').textContent()) ?? '').replace(/\s+/g, ' ');
    assert.match(headline, /Test set/, `the panel's result says which set: ${headline}`);
    assert.equal(Number(shown).toFixed(3), toastTest[1], `the toast's test accuracy (${toastTest[1]}) is the panel's (${shown})`);
    assert.equal(first.evaluation.accuracy.toFixed(3), toastTest[1], `the toast's test accuracy is run.json's (${first.evaluation.accuracy})`);
    assert.equal(bestValAccuracy(first)?.toFixed(3), toastVal[1], "the toast's val_acc is run.json's best");
    assert.equal(Number(await panel.locator('[data-testid="epoch-count"]').textContent()), first.epochsCompleted, 'the panel counts the epochs on disk');

    // The model lens says the same once the run is over.
    const deadlineLens = Date.now() + 30_000;
    let lensText: string;
    for (;;) {
      lensText = (await visibleCodeLensTexts(workbench)).find((text) => text.startsWith('last run')) ?? '';
      if (/test acc/.test(lensText) || Date.now() > deadlineLens) break;
      await workbench.page.waitForTimeout(250);
    }
    assert.match(lensText, new RegExp(`test acc ${toastTest[1].replace('.', '\\.')}`), `the model lens gives the same test accuracy: ${lensText}`);
    await workbench.screenshot('05-numbers-agree-completed');
  });

  it('item 8: runs are named "<model> #n" or their label in the Runs view, live and reopened panel tabs, headings and compare legends, never by id; a rename and tags reach them all', async function () {
    this.timeout(600_000);
    await startFresh(workbench);
    await workbench.openFile(shapesModel);
    // The first run: one epoch, to the end. It also times an epoch on this machine.
    const firstBefore = runIds(workspace);
    await workbench.runCommand('CNN Lab: Train Model');
    await confirmTraining(workbench, 1);
    const firstId = (await newRun(workspace, firstBefore)).id;
    const first = await endedRun(workspace, firstId, 300_000);
    assert.equal(first.status, 'completed', `the first run ended ${first.status}`);

    // The second run from the model file's ▶ Train lens, as a user starts one: epochs for about
    // 20 s of training on this machine (3 at least), time enough to watch it train, then to the end.
    const perEpochMs = msPerEpoch(workspace, firstId);
    const secondEpochs = epochsLasting(20_000, perEpochMs, 3, 50);
    console.log(`      (an epoch took ${(perEpochMs / 1000).toFixed(1)} s here: the second run trains ${secondEpochs})`);
    const before = runIds(workspace);
    const runsOfModel = readRuns(workspace).filter((record) => record.modelFile === first.modelFile).length;
    await workbench.page.locator('.part.editor .codelens-decoration a', { hasText: '▶ Train' }).first().click();
    await confirmTraining(workbench, secondEpochs);
    const secondId = (await newRun(workspace, before)).id;
    const secondName = runTitle(readRuns(workspace).find((record) => record.id === secondId)!, readRuns(workspace));
    // Numbered on from the model's runs before it.
    assert.equal(secondName, `shapes-cnn #${runsOfModel + 1}`);

    // While it trains: its tab and its page are named so; no tab ever shows its id.
    let live = await runPageNamed(workbench, secondName, 120_000);
    let liveTabs: string[];
    let liveStatus: string;
    const deadline = Date.now() + 300_000;
    let sawLiveName = false;
    for (;;) {
      if (live.isDetached()) live = await runPageNamed(workbench, secondName, 60_000);
      liveStatus = await panelStatus(live);
      liveTabs = await allTabTitles(workbench);
      assert.ok(liveTabs.every((tab) => !tab.includes(secondId)), `a tab shows the run id ${secondId}: ${liveTabs.join(' | ')}`);
      if (liveStatus === 'running' && liveTabs.includes(`CNN Lab: ${secondName}`)) {
        if (!sawLiveName) await workbench.screenshot('08-run-labels-live');
        sawLiveName = true;
      }
      if (endStatuses.includes(liveStatus)) break;
      if (Date.now() > deadline) throw new Error(`the second run was still ${liveStatus} after 300 s`);
      await workbench.page.waitForTimeout(200);
    }
    assert.ok(sawLiveName, `the live panel's tab was never "CNN Lab: ${secondName}" while the run trained; tabs: ${liveTabs.join(' | ')}`);
    assert.equal(liveStatus, 'completed');
    assert.equal(await live.locator('[data-testid="run-title"]').first().getAttribute('title'), secondId, 'the heading keeps the id in its tooltip');
    const second = await runWithStatus(workspace, secondId, 'completed');

    // The Runs view: one row per run, named, with dataset, the named result and the age; no id.
    const sidebar = await workbench.openCnnLabSidebar();
    const rows = runRows(sidebar);
    await rows.nth(1).waitFor({ timeout: 30_000 });
    const all = readRuns(workspace);
    for (const record of [first, second]) {
      const name = runTitle(record, all);
      const row = rows.filter({ has: workbench.page.locator('.label-name', { hasText: new RegExp(`^${name}$`) }) }).first();
      await row.waitFor({ timeout: 30_000 });
      const { label, description, ariaLabel } = await runRowText(row);
      assert.equal(label, name, `Runs view row of ${record.id}`);
      assert.ok(!label.includes(record.id) && !description.includes(record.id), `the row shows the id: ${label} — ${description}`);
      assert.match(description, new RegExp(`test acc ${record.evaluation!.accuracy.toFixed(3).replace('.', '\\.')}`), `the row gives the test accuracy, named: ${description}`);
      assert.match(description, /· shapes ·/, `the row gives the dataset: ${description}`);
      assert.match(description, /just now|min ago/, `the row gives the run's age: ${description}`);
      assert.match(ariaLabel, new RegExp(`^Run ${name}, completed`), `the row's accessible name: ${ariaLabel}`);
      // The name and the metric that matters are not cut off at the sidebar's edge.
      assert.ok(await textShown(row, name), `the name ${name} is cut off its row`);
      assert.ok(await textShown(row, `test acc ${record.evaluation!.accuracy.toFixed(3)}`), `the test accuracy is cut off the row of ${name}: ${description}`);
    }

    // The id stays in the tooltip.
    const firstName = runTitle(first, all);
    const firstRow = rows.filter({ has: workbench.page.locator('.label-name', { hasText: new RegExp(`^${firstName}$`) }) }).first();
    await firstRow.hover();
    const hover = workbench.page.locator('.monaco-hover, .workbench-hover', { hasText: first.id }).first();
    await hover.waitFor({ state: 'visible', timeout: 15_000 });
    await workbench.page.mouse.move(5, 600);

    // Reopened from the Runs view: its tab and heading carry the name, the id is the heading's tooltip.
    await firstRow.click();
    await waitForTab(workbench, `CNN Lab: ${firstName}`);
    const reopened = await runPageNamed(workbench, firstName);
    assert.equal(await reopened.locator('[data-testid="run-title"]').first().getAttribute('title'), first.id);
    assert.ok((await allTabTitles(workbench)).every((tab) => !tab.includes(first.id) && !tab.includes(second.id)), `tabs: ${(await allTabTitles(workbench)).join(' | ')}`);

    // Compared: the legends and the table name both runs as the Runs view does.
    const compare = await compareRunsFromPalette(workbench, [named(firstName), named(secondName)]);
    await compare.locator('[data-testid="compare-table"]').waitFor({ timeout: 30_000 });
    const lossLegend = await legendOf(compare, 'chart-loss');
    const accuracyLegend = await legendOf(compare, 'chart-accuracy');
    for (const name of [firstName, secondName]) {
      assert.ok(lossLegend.includes(`${name}: loss`) && lossLegend.includes(`${name}: val_loss`), `the loss legend names ${name}: ${lossLegend}`);
      assert.ok(accuracyLegend.includes(`${name}: `), `the accuracy legend names ${name}: ${accuracyLegend}`);
    }
    for (const record of [first, second]) assert.ok(!lossLegend.includes(record.id) && !accuracyLegend.includes(record.id), `a legend shows an id: ${lossLegend} / ${accuracyLegend}`);
    const headers = (await compare.locator('[data-testid="compare-table"] thead th').allTextContents()).map((text) => text.trim());
    assert.deepEqual(headers.slice(1).sort(), [firstName, secondName].sort(), `the table's columns: ${headers.join(' | ')}`);

    // Renamed and tagged from the Runs view's context menu.
    await pickContextMenuItem(workbench, firstRow, 'Rename or Tag Run');
    await answerTitledInputBox(workbench, 'Run name', 'baseline');
    await answerTitledInputBox(workbench, 'Tags', 'fast, small');
    const renamedRow = rows.filter({ has: workbench.page.locator('.label-name', { hasText: /^baseline$/ }) }).first();
    await renamedRow.waitFor({ timeout: 30_000 });
    const renamed = await runRowText(renamedRow);
    assert.match(renamed.description, /^#fast #small · test acc/, `the row shows the tags first: ${renamed.description}`);
    assert.ok(await textShown(renamedRow, '#fast #small'), `the tags are cut off the row: ${renamed.description}`);
    assert.ok(await textShown(renamedRow, 'baseline'), 'the new name is cut off the row');
    const renamedRecord = await waitFor('run.json with the label', () => readRuns(workspace).find((record) => record.id === first.id && record.label === 'baseline'), 10_000);
    assert.deepEqual(renamedRecord.tags, ['fast', 'small']);
    // The other run keeps its number.
    await rows.filter({ has: workbench.page.locator('.label-name', { hasText: new RegExp(`^${secondName}$`) }) }).first().waitFor({ timeout: 10_000 });

    // The open panel's tab follows, and so do the open comparison's legends and table.
    const tabs = await waitForTab(workbench, 'CNN Lab: baseline');
    assert.ok(!tabs.some((group) => group.tabs.includes(`CNN Lab: ${firstName}`)), `the old name is still on a tab: ${JSON.stringify(tabs)}`);
    await compare.locator('[data-testid="compare-table"] thead th', { hasText: /^baseline$/ }).waitFor({ timeout: 30_000 });
    const renamedLegend = await legendOf(compare, 'chart-loss');
    assert.ok(renamedLegend.includes('baseline: loss') && renamedLegend.includes(`${secondName}: loss`), `the legend after the rename: ${renamedLegend}`);
    assert.ok(!renamedLegend.includes(`${firstName}:`), `the legend keeps the old name: ${renamedLegend}`);
    await workbench.screenshot('08-run-labels');

    // The reopened run's page, shown again, is headed with the new name.
    await workbench.page.locator('.tabs-container .tab', { hasText: 'CNN Lab: baseline' }).first().click();
    await runPageNamed(workbench, 'baseline');
    await workbench.screenshot('08-run-labels-renamed-panel');
  });

  it('item 13: training, another run, a comparison and the doctor share one group beside the model: never more than two groups', async function () {
    this.timeout(600_000);
    await startFresh(workbench);
    await workbench.openFile(shapesModel);
    // A run of its own to open and compare beside the new one: a quick trial, to the end.
    const otherBefore = runIds(workspace);
    await workbench.runCommand('CNN Lab: Train Model');
    await workbench.pickQuickItem('Quick trial');
    const other = await endedRun(workspace, (await newRun(workspace, otherBefore)).id, 300_000);
    assert.equal(other.status, 'completed', `the quick trial ended ${other.status}`);

    await workbench.runCommand('View: Close All Editors');
    await workbench.page.locator('.part.editor .tabs-container .tab').first().waitFor({ state: 'detached', timeout: 15_000 });
    await workbench.openFile(shapesModel);
    const watcher = watchEditorGroups(workbench, 2);
    let watched: Awaited<ReturnType<typeof watcher.stop>> | undefined;
    try {
      assert.equal((await editorGroups(workbench)).length, 1);

      // Train: the panel opens beside the model.
      const before = runIds(workspace);
      await workbench.runCommand('CNN Lab: Train Model');
      await confirmTraining(workbench, 2);
      const thirdId = (await newRun(workspace, before)).id;
      const thirdName = runTitle(readRuns(workspace).find((record) => record.id === thirdId)!, readRuns(workspace));
      const training = await runPageNamed(workbench, thirdName, 120_000);
      assertOneGroupBesideModel(await waitForTab(workbench, `CNN Lab: ${thirdName}`), 'training');
      assert.equal(await waitUntilEnded(training, 300_000), 'completed');

      // Another run, from the Runs view.
      const sidebar = await workbench.openCnnLabSidebar();
      const otherName = runTitle(other, readRuns(workspace));
      await runRows(sidebar).filter({ has: workbench.page.locator('.label-name', { hasText: new RegExp(`^${otherName}$`) }) }).first().click();
      assertOneGroupBesideModel(await waitForTab(workbench, `CNN Lab: ${otherName}`), 'another run opened');
      await runPageNamed(workbench, otherName);

      // A comparison.
      await compareRunsFromPalette(workbench, [named(otherName), named(thirdName)]);
      assertOneGroupBesideModel(await waitForTab(workbench, /^CNN Lab: Compare/), 'compare');

      // The doctor: whatever tab it opens lands in the same group.
      const tabsBefore = new Set(await allTabTitles(workbench));
      await workbench.runCommand('CNN Lab: Doctor');
      const deadline = Date.now() + 180_000;
      let groups: EditorGroupReading[];
      for (;;) {
        groups = await editorGroups(workbench);
        if (groups.some((group) => group.tabs.some((tab) => !tabsBefore.has(tab)))) break;
        if (Date.now() > deadline) throw new Error(`the doctor opened no tab within 180 s: ${JSON.stringify(groups)}`);
        await workbench.page.waitForTimeout(250);
      }
      assertOneGroupBesideModel(groups, 'doctor');
      // For the screenshot: the doctor's report drawn (its page has a Refresh button), not a blank tab.
      await workbench.webviewFrameShowing('#refresh', 60_000).catch(() => undefined);
      const doctorTab = groups[groups.length - 1].tabs.find((tab) => !tabsBefore.has(tab));
      assert.ok(doctorTab, `the doctor's tab is in the group beside the model: ${JSON.stringify(groups)}`);
      assert.equal(groups.length, 2);
      assert.deepEqual(
        groups[1].tabs.filter((tab) => tab.startsWith('CNN Lab') && tab !== doctorTab).sort(),
        [`CNN Lab: ${thirdName}`, `CNN Lab: ${otherName}`, 'CNN Lab: Compare 2 runs'].sort(),
        `every CNN Lab panel shares the second group: ${JSON.stringify(groups)}`,
      );
      await workbench.screenshot('13-one-group');
    } finally {
      watched = await watcher.stop();
    }
    // Sampled four times a second from the first action to the last: never a third group, even for a moment.
    assert.ok(watched.samples > 10, `the editor groups were sampled ${watched.samples} times`);
    assert.ok(watched.most <= 2, `up to ${watched.most} editor groups at once: ${JSON.stringify(watched.over)}`);
  });
});
