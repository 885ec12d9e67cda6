// Issue 12, item 2 in the sidebar: a sweep's runs sit under one experiment row in their model's
// group, best first, each labelled by its values and the sweep's metric; the experiment row offers
// Stop Sweep while its queue runs and Continue Sweep once stopped.
import { runsUi, setWorkspaceFolders, TreeItem } from './runsFake';
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { Ctx } from '../../src/extension/ctx';
import { RunCatalog } from '../../src/extension/runCatalog';
import { ExperimentNode, ModelGroupNode, RunNode, RunsTreeProvider, VariantRunNode } from '../../src/extension/runsView';
import type { ExperimentState } from '../../src/runs/experiments';
import type { ExperimentRef } from '../../src/runs/format';
import { runsDirFor } from '../../src/runs/store';
import { state, Uri } from './fakeVscode';
import { plantRun, sampleRecord } from '../trainer/runFolders';

const experimentId = 'cnn-sweep-20261201-203000';

function experiment(variant: number, values: ExperimentRef['values']): ExperimentRef {
  return { id: experimentId, name: 'cnn sweep (grid, 3 variants)', variant, variants: 3, values, metric: { name: 'val_acc', goal: 'max' } };
}

describe('sweeps in the Runs view (issue 12.2)', () => {
  let ctx: Ctx;
  let catalog: RunCatalog;
  let runsDir: string;

  beforeEach(() => {
    state.reset();
    runsUi.reset();
    const ws = join(mkdtempSync(join(tmpdir(), 'cnnlab-runs-experiments-')), 'ws');
    runsDir = runsDirFor(ws);
    mkdirSync(runsDir, { recursive: true });
    setWorkspaceFolders([ws]);
    ctx = new Ctx({ extensionUri: Uri.file('/ext') } as unknown as vscode.ExtensionContext);
    catalog = ctx.own(new RunCatalog(ctx));
    const common = { modelFile: 'cnn.model.json', epochsCompleted: 1, epochsPlanned: 1 };
    plantRun(runsDir, 'plain', sampleRecord('plain', { ...common, startedAt: '2026-12-01T10:00:00.000Z', bestMetrics: { epoch: 0, val_acc: 0.5 } }));
    plantRun(runsDir, 'v0', sampleRecord('v0', { ...common, startedAt: '2026-12-01T20:30:00.000Z', bestMetrics: { epoch: 0, val_acc: 0.81 }, experiment: experiment(0, { learningRate: 0.001 }) }));
    plantRun(runsDir, 'v1', sampleRecord('v1', { ...common, startedAt: '2026-12-01T20:31:00.000Z', bestMetrics: { epoch: 0, val_accuracy: 0.912 }, experiment: experiment(1, { learningRate: 0.004 }) }));
    plantRun(runsDir, 'v2', sampleRecord('v2', { ...common, startedAt: '2026-12-01T20:32:00.000Z', status: 'stopped', epochsCompleted: 0, experiment: experiment(2, { learningRate: 0.01 }) }));
  });

  afterEach(() => {
    ctx.dispose();
    setWorkspaceFolders([]);
  });

  async function experimentRow(queueState?: ExperimentState): Promise<{ tree: RunsTreeProvider; group: ModelGroupNode; node: ExperimentNode }> {
    await catalog.refresh();
    const tree = new RunsTreeProvider(catalog, () => undefined, (id) => (id === experimentId ? queueState : undefined));
    const [group] = (await tree.getChildren()).filter((node): node is ModelGroupNode => node instanceof ModelGroupNode);
    const children = await tree.getChildren(group);
    const node = children.find((child): child is ExperimentNode => child instanceof ExperimentNode);
    assert.ok(node, 'an experiment row in the model group');
    return { tree, group, node };
  }

  it('puts the sweep under one experiment row, newest first among the model’s runs, its runs best first and labelled by their values', async () => {
    const { tree, group, node } = await experimentRow('running');
    const children = await tree.getChildren(group);
    assert.deepEqual(children.map((child) => (child instanceof ExperimentNode ? `experiment ${child.experimentId}` : (child as RunNode).runId)), [`experiment ${experimentId}`, 'plain']);
    assert.equal((tree.getTreeItem(group) as unknown as TreeItem).description, '4 runs');
    const runs = (await tree.getChildren(node)) as VariantRunNode[];
    assert.deepEqual(runs.map((run) => run.runId), ['v1', 'v0', 'v2']);
    const items = runs.map((run) => tree.getTreeItem(run) as unknown as TreeItem);
    assert.deepEqual(items.map((item) => item.label), ['lr=0.004 — val_acc 0.912', 'lr=0.001 — val_acc 0.810', 'lr=0.01']);
    assert.match(items[0].description ?? '', /^★ best · cnn #3/);
    assert.match(items[2].description ?? '', /^cnn #4 · stopped/);
    assert.deepEqual(items.map((item) => item.contextValue), ['run-completed', 'run-completed', 'run-stopped'], 'the run commands (Stop Run stops one variant) apply to them');
    const item = tree.getTreeItem(node) as unknown as TreeItem;
    assert.equal(item.label, 'cnn sweep (grid, 3 variants)');
    assert.equal(item.description, '2 of 3 done · running · best val_acc 0.912');
    assert.equal(item.contextValue, 'cnnLab.experiment-running');
    assert.equal(item.command?.command, 'cnnLab.openExperiment');
    tree.dispose();
  });

  it('offers Continue Sweep on a stopped sweep, and neither once it is done or unknown', async () => {
    for (const [queueState, contextValue] of [['stopped', 'cnnLab.experiment-stopped'], ['queued', 'cnnLab.experiment-running'], ['done', 'cnnLab.experiment'], [undefined, 'cnnLab.experiment']] as const) {
      const { tree, node } = await experimentRow(queueState);
      assert.equal((tree.getTreeItem(node) as unknown as TreeItem).contextValue, contextValue, String(queueState));
      tree.dispose();
    }
  });
});
