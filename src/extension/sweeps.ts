// Sweeps in VS Code: CNN Lab: Sweep… (the model file's `sweep` block, or values chosen in quick
// picks), Open Experiment, Stop Sweep and Continue Sweep. Each variant is checked by the model
// core before anything trains (invalid ones are named with their values and skipped), then the
// queue runs in this window (SweepController) and the experiment panel follows it. Unfinished
// queues carry on when the window opens again.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { analyzeModel } from '../model';
import { combinationCount, SWEEP_METRICS, variantLabel, type SweepSpec, type SweepValue } from '../model/sweep';
import type { ModelIR } from '../model/types';
import { experimentsDirFor, type ExperimentFile, type ExperimentJob } from '../runs/experiments';
import { runsDirFor } from '../runs/store';
import { createExperiment } from '../runs/sweepQueue';
import type { Ctx } from './ctx';
import { ExperimentPanel, type ExperimentPanelDeps } from './experimentPanel';
import type { RunCatalog } from './runCatalog';
import { resolveModelFile } from './runs';
import { ExperimentNode, type ModelGroupNode, type ModelNode } from './runsView';
import { parseValueList, sweepFromChoices, sweepKeyChoices, valuesProblem } from './sweepChoices';
import type { SweepController } from './sweepRunner';
import { trainingAllowed } from './trainingLauncher';
import { quickTrialChoice, quickTrialLabel } from './trainSettings';

/** What a sweep command may be invoked with: an experiment row, an experiment id (panel, notifications), or nothing (palette, status bar). */
type ExperimentArgument = ExperimentNode | string | undefined;

/** How many invalid variants a notification names before "and N more". */
const INVALID_NAMED = 3;

export function register(ctx: Ctx, sweeps: SweepController, catalog: RunCatalog): void {
  const deps: ExperimentPanelDeps = { ctx, catalog, sweeps };
  ctx.own(ExperimentPanel.registerSerializer(deps));

  ctx.registerCommand('cnnLab.sweep', async (target?: vscode.Uri | ModelNode | ModelGroupNode) => {
    const uri = await resolveModelFile(target, 'Sweep which model?');
    if (!uri) return;
    const folder = vscode.workspace.getWorkspaceFolder(uri) ?? vscode.workspace.workspaceFolders?.[0];
    if (!folder) {
      void vscode.window.showErrorMessage('CNN Lab: open a folder first; experiments and runs are kept in its .cnnlab folder.');
      return;
    }
    if (!trainingAllowed()) return;
    const ir = await readModel(uri);
    if (!ir) return;
    const spec = await chooseSweep(ir);
    if (!spec) return;
    const job = await chooseJob();
    if (!job) return;
    const runsDir = runsDirFor(folder.uri.fsPath);
    const { experimentDir, experiment } = createExperiment({ experimentsDir: experimentsDirFor(runsDir), modelFile: uri.fsPath, baseDir: folder.uri.fsPath, ir, spec, job });
    if (!reportInvalid(experiment)) return;
    void sweeps.run(folder, experimentDir, experiment.id);
    ExperimentPanel.show(deps, experiment.id);
  });

  ctx.registerCommand('cnnLab.openExperiment', async (argument?: ExperimentArgument) => {
    const experimentId = await pickExperiment(argument, 'Open experiment', () => true);
    if (experimentId) ExperimentPanel.show(deps, experimentId);
  });

  ctx.registerCommand('cnnLab.stopSweep', async (argument?: ExperimentArgument) => {
    const running = sweeps.runningIds();
    // From the status bar or the palette: the sweep running here, after a confirmation.
    if (argument === undefined && running.length <= 1) {
      const only = running[0];
      if (!only) {
        void vscode.window.showInformationMessage('CNN Lab: no sweep is running in this window.');
        return;
      }
      const name = sweeps.get(only)?.experiment.name ?? only;
      const answer = await vscode.window.showWarningMessage(`Stop ${name}? Its running variants stop; Continue Sweep trains them again later.`, { modal: true }, 'Stop Sweep');
      if (answer === 'Stop Sweep') sweeps.stop(only);
      return;
    }
    const experimentId = await pickExperiment(argument, 'Stop sweep', (experiment) => sweeps.isRunning(experiment.id));
    if (!experimentId) return;
    if (!sweeps.stop(experimentId)) {
      void vscode.window.showWarningMessage(`CNN Lab: the queue of ${sweeps.get(experimentId)?.experiment.name ?? experimentId} is not running in this window; stop it where it runs (Ctrl+C in its terminal for cnnlab sweep).`);
    }
  });

  ctx.registerCommand('cnnLab.continueSweep', async (argument?: ExperimentArgument) => {
    if (!trainingAllowed()) return;
    const experimentId = await pickExperiment(argument, 'Continue sweep', (experiment) => experiment.state !== 'done' && !sweeps.isRunning(experiment.id));
    const entry = experimentId ? sweeps.get(experimentId) : undefined;
    if (!entry) return;
    void sweeps.run(entry.folder, entry.experimentDir, entry.experiment.id);
    ExperimentPanel.show(deps, entry.experiment.id);
  });

  // Queues a window reload or a crash left unfinished carry on, once training is allowed here;
  // until then the experiments are only read (the Runs view's rows show where each stands).
  const carryOn = (): void => void sweeps.carryOn().catch((error: unknown) => ctx.output.appendLine(`Sweeps could not carry on: ${String(error)}`));
  if (vscode.workspace.isTrusted) carryOn();
  else {
    void sweeps.refresh().catch((error: unknown) => ctx.output.appendLine(`Experiments could not be read: ${String(error)}`));
    ctx.own(vscode.workspace.onDidGrantWorkspaceTrust(carryOn));
  }

  /** The experiment a command is for: the row's, the id given, or one picked among those `filter` keeps. */
  async function pickExperiment(argument: ExperimentArgument, title: string, filter: (experiment: ExperimentFile) => boolean): Promise<string | undefined> {
    if (argument instanceof ExperimentNode) return argument.experimentId;
    if (typeof argument === 'string') return argument;
    const experiments = (await sweeps.refresh()).map((entry) => entry.experiment).filter(filter);
    if (experiments.length === 0) {
      void vscode.window.showInformationMessage('CNN Lab: no experiment to pick.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      experiments.map((experiment) => ({ label: experiment.name, description: `${experiment.state} · ${experiment.modelFile}`, detail: experiment.id, experiment })),
      { title },
    );
    return picked?.experiment.id;
  }
}

/** The model's IR when it has no errors; otherwise says where the first one is and returns undefined. */
async function readModel(uri: vscode.Uri): Promise<ModelIR | undefined> {
  const document = await vscode.workspace.openTextDocument(uri);
  const analysis = analyzeModel(document.getText(), uri.fsPath);
  const errors = analysis.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  if (analysis.ir && errors.length === 0) return analysis.ir;
  const first = errors[0];
  const choice = await vscode.window.showErrorMessage(
    `CNN Lab: ${path.basename(uri.fsPath)} has ${errors.length || 1} error(s)${first ? ` (line ${first.range.start.line + 1}: ${first.message})` : ''}. Fix them before a sweep.`,
    'Show Problems',
  );
  if (choice) void vscode.commands.executeCommand('workbench.actions.view.problems');
  return undefined;
}

/** The file's sweep block when it has one and the user runs it, else the values chosen in quick picks. */
async function chooseSweep(ir: ModelIR): Promise<SweepSpec | undefined> {
  if (ir.sweep) {
    const fromFile = ir.sweep;
    const picked = await vscode.window.showQuickPick(
      [
        { label: '$(play) Run the sweep in the file', detail: `${fromFile.method}: ${Object.entries(fromFile.parameters).map(([key, values]) => `${key} ∈ {${values.join(', ')}}`).join(' × ')} · ${fromFile.metric.name} (${fromFile.metric.goal})`, fromFile: true },
        { label: '$(settings) Choose values…', detail: 'Pick the settings and values to try in quick picks', fromFile: false },
      ],
      { title: 'CNN Lab: Sweep' },
    );
    if (!picked) return undefined;
    if (picked.fromFile) return fromFile;
  }
  return chooseValues(ir);
}

async function chooseValues(ir: ModelIR): Promise<SweepSpec | undefined> {
  const keys = await vscode.window.showQuickPick(
    sweepKeyChoices(ir).map((choice) => ({ label: choice.key, description: choice.current === undefined ? choice.detail : `now ${String(choice.current)} · ${choice.detail}`, choice })),
    { title: 'Sweep which settings? (pick one or more)', canPickMany: true, matchOnDescription: true },
  );
  if (!keys || keys.length === 0) return undefined;
  const parameters: Record<string, SweepValue[]> = {};
  for (const { choice } of keys) {
    const text = await vscode.window.showInputBox({
      title: `Values of ${choice.key}`,
      prompt: 'Comma-separated values to try, e.g. 0.001, 0.004 or adam, sgd',
      value: choice.current === undefined ? '' : String(choice.current),
      validateInput: (input) => valuesProblem(ir, choice.key, input),
    });
    if (text === undefined) return undefined;
    parameters[choice.key] = parseValueList(text);
  }
  const combinations = combinationCount({ parameters });
  const method = await vscode.window.showQuickPick(
    [
      { label: 'Grid', description: `every combination: ${combinations} variant${combinations === 1 ? '' : 's'}`, method: 'grid' as const },
      { label: 'Random', description: 'some combinations, drawn with a fixed seed', method: 'random' as const },
    ],
    { title: 'Grid or random search?' },
  );
  if (!method) return undefined;
  let trials: number | undefined;
  if (method.method === 'random') {
    const text = await vscode.window.showInputBox({
      title: 'How many variants to draw?',
      value: String(Math.min(combinations, 8)),
      validateInput: (input) => (/^\d+$/.test(input.trim()) && Number(input) >= 1 && Number(input) <= combinations ? undefined : `Type a whole number from 1 to ${combinations} (the combinations there are).`),
    });
    if (text === undefined) return undefined;
    trials = Number(text);
  }
  const metric = await vscode.window.showQuickPick(
    SWEEP_METRICS.map((entry) => ({ label: entry.name, description: entry.goal === 'max' ? 'higher is better' : 'lower is better', metric: { name: entry.name, goal: entry.goal } })),
    { title: 'Rank the variants by which metric?' },
  );
  if (!metric) return undefined;
  return sweepFromChoices(parameters, method.method, metric.metric, trials);
}

/** What every variant trains with besides its values: the file's settings, or a quick trial. */
async function chooseJob(): Promise<ExperimentJob | undefined> {
  const trial = quickTrialChoice({});
  const picked = await vscode.window.showQuickPick(
    [
      { label: '$(play) Train each variant with the file’s settings', job: {} as ExperimentJob },
      { label: `$(zap) ${quickTrialLabel()} per variant`, job: { overrides: trial.overrides, ...trial.limits } as ExperimentJob },
    ],
    { title: 'How should each variant train?' },
  );
  return picked?.job;
}

/** Names the variants the model core refused (they are skipped); false when none is left to train. */
function reportInvalid(experiment: ExperimentFile): boolean {
  const invalid = experiment.variants.filter((variant) => variant.status === 'invalid');
  if (invalid.length === 0) return true;
  const named = invalid.slice(0, INVALID_NAMED).map((variant) => `${variantLabel(variant.values)}: ${variant.problems?.[0] ?? 'invalid'}`);
  const more = invalid.length > INVALID_NAMED ? ` … and ${invalid.length - INVALID_NAMED} more` : '';
  const message = `${invalid.length} of ${experiment.variants.length} variants are invalid and skipped — ${named.join('; ')}${more}.`;
  if (invalid.length === experiment.variants.length) {
    void vscode.window.showErrorMessage(`CNN Lab: nothing to train: ${message}`);
    return false;
  }
  void vscode.window.showWarningMessage(`CNN Lab: ${message}`);
  return true;
}
