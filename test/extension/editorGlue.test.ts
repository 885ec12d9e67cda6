import './fakeVscode';
import { strict as assert } from 'node:assert';
import type * as vscode from 'vscode';
import { Ctx } from '../../src/extension/ctx';
import * as editor from '../../src/extension/editor';
import { analyzeModel } from '../../src/model/index';
import { CodeAction, CodeLens, Diagnostic, DiagnosticSeverity, FakeDocument, Hover, Position, Range, events, state } from './fakeVscode';

// Seed 002's pooled CNN as Keras 2's `model.to_json()` writes it, pretty-printed so every layer has
// its own lines. The file name says nothing: it is recognised by its content.
function kerasJson(kernelSize: number): string {
  return `{
  "class_name": "Sequential",
  "config": {
    "name": "sequential",
    "layers": [
      {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 28, 28, 1], "dtype": "float32", "name": "conv2d_input"}},
      {"class_name": "Conv2D", "config": {"name": "conv2d", "trainable": true, "filters": 64, "kernel_size": [${kernelSize}, ${kernelSize}], "strides": [1, 1], "padding": "valid", "activation": "relu", "use_bias": true}},
      {"class_name": "MaxPooling2D", "config": {"name": "max_pooling2d", "trainable": true, "pool_size": [2, 2], "padding": "valid", "strides": [2, 2]}},
      {"class_name": "Flatten", "config": {"name": "flatten", "trainable": true}},
      {"class_name": "Dense", "config": {"name": "dense", "trainable": true, "units": 15, "activation": "tanh", "use_bias": true}},
      {"class_name": "Dense", "config": {"name": "dense_1", "trainable": true, "units": 10, "activation": "softmax", "use_bias": true}}
    ]
  },
  "keras_version": "2.12.0",
  "backend": "tensorflow"
}
`;
}

const convLine = 6;
const token = { isCancellationRequested: false } as unknown as vscode.CancellationToken;
const asDocument = (document: FakeDocument) => document as unknown as vscode.TextDocument;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Applies single-line replacements, last first so earlier offsets stay valid. */
function applyReplacements(text: string, replacements: { range: Range; newText: string }[]): string {
  const lines = text.split('\n');
  const ordered = [...replacements].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character);
  for (const { range, newText } of ordered) {
    assert.equal(range.start.line, range.end.line, 'the fixes used here stay on one line');
    const line = lines[range.start.line];
    lines[range.start.line] = line.slice(0, range.start.character) + newText + line.slice(range.end.character);
  }
  return lines.join('\n');
}

function lensTitles(document: FakeDocument): string[] {
  const provider = state.codeLensProviders[0] as vscode.CodeLensProvider;
  const lenses = provider.provideCodeLenses(asDocument(document), token) as unknown as CodeLens[];
  return lenses.map((lens) => lens.command.title);
}

function diagnosticsOf(document: FakeDocument): Diagnostic[] | undefined {
  return state.collections[0].entries.get(document.uri.toString());
}

describe('editor glue (against a stand-in for the vscode API)', () => {
  let ctx: Ctx;
  let model: FakeDocument;

  beforeEach(() => {
    state.reset();
    state.settings.set('cnnLab.diagnostics.debounceMs', 10);
    model = new FakeDocument('/w/my_keras_model.json', 'json', kerasJson(3));
    state.documents.push(model);
    ctx = new Ctx({} as vscode.ExtensionContext);
    editor.register(ctx);
  });

  afterEach(() => ctx.dispose());

  it('puts the totals and one lens per layer on a Keras JSON file found by content', () => {
    const titles = lensTitles(model);
    assert.match(titles[0], /^Total 163,055 params \(636\.93 KB\) · trainable 163,055 · non-trainable 0 · [\d.]+ [kMG]?FLOPs$/);
    assert.ok(titles.includes('→ (None, 26, 26, 64) · 640 params'), titles.join('\n'));
    assert.ok(titles.includes('→ (None, 15) · 162,255 params'), titles.join('\n'));
  });

  it('sends lens clicks to the summary command with the model file', () => {
    const provider = state.codeLensProviders[0] as vscode.CodeLensProvider;
    const [first] = provider.provideCodeLenses(asDocument(model), token) as unknown as CodeLens[];
    assert.equal(first.command.command, 'cnnLab.showSummary');
    assert.deepEqual(first.command.arguments, [model.uri]);
  });

  it('turns lenses off and on live with cnnLab.codeLens.enabled', () => {
    const provider = state.codeLensProviders[0] as vscode.CodeLensProvider;
    let refreshes = 0;
    provider.onDidChangeCodeLenses?.(() => refreshes++);
    state.settings.set('cnnLab.codeLens.enabled', false);
    events.configuration.fire({ affectsConfiguration: (section) => section === 'cnnLab.codeLens.enabled' });
    assert.equal(refreshes, 1);
    assert.deepEqual(lensTitles(model), []);
    state.settings.set('cnnLab.codeLens.enabled', true);
    assert.ok(lensTitles(model).length > 0);
  });

  it('leaves ordinary JSON alone', () => {
    const manifest = new FakeDocument('/w/package.json', 'json', '{ "name": "x", "config": { "layers": [] } }');
    state.documents.push(manifest);
    events.open.fire(manifest);
    assert.deepEqual(lensTitles(manifest), []);
    assert.equal(diagnosticsOf(manifest), undefined);
  });

  it('reports a shrinking convolution after the typing pause, and clears it when the file closes', async () => {
    assert.deepEqual(diagnosticsOf(model), []);
    model.edit(kerasJson(30));
    events.change.fire({ document: model, contentChanges: [{}] });
    assert.deepEqual(diagnosticsOf(model), [], 'nothing changes before the pause');
    await sleep(40);
    const problems = diagnosticsOf(model) ?? [];
    const expected = analyzeModel(kerasJson(30), model.fileName).diagnostics;
    assert.ok(expected.length > 0);
    assert.deepEqual(
      problems.map((problem) => [problem.code, problem.message, problem.source, problem.range.start.line]),
      expected.map((problem) => [problem.code, problem.message, 'CNN Lab', problem.range.start.line]),
    );
    assert.equal(problems[0].severity, DiagnosticSeverity.Error);
    assert.equal(problems[0].code, 'non-positive-dimension');

    model.isClosed = true;
    state.documents = [];
    events.close.fire(model);
    assert.equal(diagnosticsOf(model), undefined);
  });

  it("leaves a JSON syntax error to VS Code's JSON service instead of publishing it a second time", async () => {
    const cut = kerasJson(3).slice(0, -40);
    assert.ok(analyzeModel(cut, model.fileName).diagnostics.some((problem) => problem.code === 'parse-error'), 'the model core sees the syntax error');
    model.edit(cut);
    events.change.fire({ document: model, contentChanges: [{}] });
    await sleep(40);
    assert.deepEqual((diagnosticsOf(model) ?? []).filter((problem) => problem.code === 'parse-error'), []);
  });

  it('shows lenses for the text on screen even before the pause is over', () => {
    model.edit(kerasJson(5));
    events.change.fire({ document: model, contentChanges: [{}] });
    assert.ok(lensTitles(model).includes('→ (None, 24, 24, 64) · 1,664 params'));
  });

  it('explains the conv layer on hover with the arithmetic', () => {
    const provider = state.hoverProviders[0] as vscode.HoverProvider;
    const hover = provider.provideHover(asDocument(model), new Position(convLine, 60) as unknown as vscode.Position, token) as unknown as Hover;
    assert.match(hover.contents.value, /^\*\*conv2d\*\* \(Conv2D\)/);
    assert.ok(hover.contents.value.includes('`(None, 26, 26, 64)`'));
    assert.ok(hover.contents.value.includes('64 · 3 · 3 · 1 + 64 = 640'), hover.contents.value);
    assert.equal(hover.range.start.line, convLine);
  });

  it('offers the model core\'s fix as a workspace edit that repairs the file', async () => {
    const misspelt = kerasJson(3).replace('"activation": "relu"', '"activation": "rellu"');
    model.edit(misspelt);
    events.change.fire({ document: model, contentChanges: [{}] });
    await sleep(40);
    const provider = state.codeActionProviders[0] as vscode.CodeActionProvider;
    const context = { diagnostics: diagnosticsOf(model), triggerKind: 1, only: undefined } as unknown as vscode.CodeActionContext;
    const actions = provider.provideCodeActions(asDocument(model), new Range(0, 0, 0, 0) as unknown as vscode.Range, context, token) as unknown as CodeAction[];
    assert.deepEqual(
      actions.map((action) => [action.title, action.isPreferred, action.diagnostics[0].code]),
      [['Change to "relu"', true, 'bad-option-value']],
    );
    const repaired = applyReplacements(misspelt, actions[0].edit?.replacements ?? []);
    assert.equal(repaired, kerasJson(3));
  });

  it('opens the Keras summary beside the model from the command', async () => {
    await state.commands.get('cnnLab.showSummary')?.(model.uri);
    const [summary] = state.shown as FakeDocument[];
    assert.equal(summary.uri.scheme, 'cnnlab-summary');
    assert.ok(summary.getText().includes('Total params: 163,055'), summary.getText());
  });

  it('keeps the extension host alive when no model is open for the command', async () => {
    await state.commands.get('cnnLab.showSummary')?.();
    assert.deepEqual(state.shown, []);
    assert.ok(state.log.some((line) => line.includes('open a model file')));
  });
});
