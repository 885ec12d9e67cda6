// Which executable runs the trainer child: a system Node when one is found, else VS Code's own
// runtime as Node (ELECTRON_RUN_AS_NODE=1), which trains on the CPU through WebAssembly (the wasm
// backend needs no native addon; TensorFlow and WebGPU do, and cannot load inside Electron).
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { findSystemNodeHere, type NodeSearch } from '../runtime/nodeDiscovery';
import type { Ctx } from './ctx';

export interface TrainerRuntime {
  execPath: string;
  /** Added to the child's environment. */
  env: Record<string, string>;
  /** False for VS Code's own runtime: native backends and Dawn cannot load there. */
  systemNode: boolean;
  search: NodeSearch;
  /** One line for logs, e.g. `Node v20.11.1 at /usr/bin/node (PATH)`. */
  description: string;
}

function configuredNodePath(): string | undefined {
  const value = vscode.workspace.getConfiguration('cnnLab').get<string>('nodePath')?.trim();
  if (!value) return undefined;
  return value.startsWith('~') ? homedir() + value.slice(1) : value;
}

/** Finds the runtime once and again only when `cnnLab.nodePath` changes (the search runs `node --version` several times). */
export class TrainerRuntimes {
  private cached: Promise<TrainerRuntime> | undefined;

  constructor(private readonly ctx: Ctx) {
    ctx.own(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('cnnLab.nodePath')) this.cached = undefined;
      }),
    );
  }

  resolve(): Promise<TrainerRuntime> {
    this.cached ??= this.search();
    return this.cached;
  }

  private async search(): Promise<TrainerRuntime> {
    const search = await findSystemNodeHere(configuredNodePath());
    for (const rejected of search.rejected.filter((entry) => entry.source === 'setting')) {
      this.ctx.output.appendLine(`cnnLab.nodePath ${rejected.path} ${rejected.problem}; looking elsewhere.`);
    }
    if (search.found) {
      const { path, version, source } = search.found;
      const runtime = { execPath: path, env: {}, systemNode: true, search, description: `Node ${version} at ${path} (${source})` };
      this.ctx.output.appendLine(`Trainer runtime: ${runtime.description}`);
      return runtime;
    }
    const runtime = {
      execPath: process.execPath,
      env: { ELECTRON_RUN_AS_NODE: '1' },
      systemNode: false,
      search,
      description: `VS Code's own runtime ${process.execPath} (no system Node ≥ 18 found: WebAssembly on the CPU, no TensorFlow or WebGPU)`,
    };
    this.ctx.output.appendLine(`Trainer runtime: ${runtime.description}. Install Node or set cnnLab.nodePath for TensorFlow or WebGPU.`);
    return runtime;
  }
}
