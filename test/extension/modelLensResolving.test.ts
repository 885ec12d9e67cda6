// Issue 10 item 1 in the editor: the model lens of a `.model.ts` file the static reader cannot follow
// (a loop adds layers) never shows the static reader's partial total ("Total 40 params" here, where
// the model has more): "resolving…" while the trusted evaluator runs, "needs a trusted workspace"
// where it may not run.
import './fakeVscode';
import { strict as assert } from 'node:assert';
import type * as vscode from 'vscode';
import { needsTrustLensTitle, register as registerLenses, resolvingLensTitle } from '../../src/extension/codeLens';
import { Ctx } from '../../src/extension/ctx';
import { ModelDocuments } from '../../src/extension/modelDocuments';
import { CodeLens, FakeDocument, state } from './fakeVscode';

const fake = require('vscode') as { workspace: { isTrusted: boolean } };

const LOOP_MODEL = `import * as tf from '@tensorflow/tfjs';
export default function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 8, inputShape: [4] }));
  for (const units of [16, 32]) model.add(tf.layers.dense({ units }));
  model.add(tf.layers.dense({ units: 2 }));
  return model;
}
`;

describe('model lens of a .model.ts file the static reader cannot follow (issue 10.1)', () => {
  let ctx: Ctx;
  let models: ModelDocuments;
  let document: FakeDocument;

  beforeEach(() => {
    state.reset();
    // Long enough that the evaluator never starts during a test.
    state.settings.set('cnnLab.diagnostics.debounceMs', 60_000);
    document = new FakeDocument('/w/loop.model.ts', 'typescript', LOOP_MODEL);
    state.documents.push(document);
    ctx = new Ctx({} as vscode.ExtensionContext);
    models = ctx.own(new ModelDocuments(ctx));
    registerLenses(ctx, models);
  });

  afterEach(() => {
    ctx.dispose();
    fake.workspace.isTrusted = false;
  });

  function modelLensTitle(): string {
    const provider = state.codeLensProviders[0] as vscode.CodeLensProvider;
    const lenses = provider.provideCodeLenses(document as unknown as vscode.TextDocument, {} as vscode.CancellationToken) as unknown as CodeLens[];
    return lenses[0].command.title;
  }

  it('says "resolving…" while the evaluation is pending, also right after an edit', () => {
    fake.workspace.isTrusted = true;
    assert.equal(modelLensTitle(), resolvingLensTitle);
    document.edit(LOOP_MODEL.replace('units: 2', 'units: 3'));
    assert.equal(modelLensTitle(), resolvingLensTitle);
    assert.doesNotMatch(modelLensTitle(), /\d+ params/);
  });

  it('says it needs a trusted workspace to count where the module may not run', () => {
    assert.equal(modelLensTitle(), needsTrustLensTitle);
  });
});
