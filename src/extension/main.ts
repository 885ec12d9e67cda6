import type * as vscode from 'vscode';
import { Ctx } from './ctx';
import { register as registerTrainer } from './trainerManager';
import * as editor from './editor';
import { register as registerRuns } from './runs';
import { register as registerDoctor } from './doctorView';
import { register as registerKeras } from './kerasEditor';
import { SweepController } from './sweepRunner';
import { register as registerSweeps } from './sweeps';

let ctx: Ctx | undefined;

export function activate(extension: vscode.ExtensionContext): void {
  ctx = new Ctx(extension);
  extension.subscriptions.push(ctx);
  // One line per feature: each file registers its own commands, providers and views.
  // The TrainerManager it returns is what the panel and the sidebar start and follow runs with.
  const trainer = registerTrainer(ctx);
  const models = editor.register(ctx);
  const sweeps = ctx.own(new SweepController(ctx, trainer));
  const runs = registerRuns(ctx, trainer, models, sweeps);
  registerSweeps(ctx, sweeps, runs);
  registerDoctor(ctx, trainer);
  registerKeras(ctx, trainer, runs);
}

export function deactivate(): void {
  ctx?.dispose();
  ctx = undefined;
}
