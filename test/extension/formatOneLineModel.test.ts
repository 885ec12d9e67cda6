// The editor offers to format a one-line Keras file (a `to_json()` dump) on its line, as a single
// whole-file replacement (one undo step); afterwards each layer has its own lens.
import './fakeVscode';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import type * as vscode from 'vscode';
import { Ctx } from '../../src/extension/ctx';
import * as editor from '../../src/extension/editor';
import { CodeAction, CodeLens, FakeDocument, Range, state } from './fakeVscode';

const token = { isCancellationRequested: false } as unknown as vscode.CancellationToken;
const asDocument = (document: FakeDocument) => document as unknown as vscode.TextDocument;
const kerasText = readFileSync('samples/keras/seed003-fashion-mnist-cnn.keras.json', 'utf8');

function actionsAt(document: FakeDocument, line: number): CodeAction[] {
  const provider = state.codeActionProviders[0] as vscode.CodeActionProvider;
  const context = { diagnostics: [], triggerKind: 1, only: undefined } as unknown as vscode.CodeActionContext;
  return provider.provideCodeActions(asDocument(document), new Range(line, 0, line, 0) as unknown as vscode.Range, context, token) as unknown as CodeAction[];
}

function lensTitles(document: FakeDocument): string[] {
  const provider = state.codeLensProviders[0] as vscode.CodeLensProvider;
  return (provider.provideCodeLenses(asDocument(document), token) as unknown as CodeLens[]).map((lens) => lens.command.title);
}

describe('format a one-line Keras model (editor glue)', () => {
  let ctx: Ctx;
  let model: FakeDocument;

  beforeEach(() => {
    state.reset();
    model = new FakeDocument('/w/fashion.json', 'json', kerasText);
    state.documents.push(model);
    ctx = new Ctx({} as vscode.ExtensionContext);
    editor.register(ctx);
  });

  afterEach(() => ctx.dispose());

  it('offers one quick fix on line 1 that replaces the whole file once, after which every layer has its own lens', () => {
    const titlesBefore = lensTitles(model);
    assert.equal(titlesBefore.length, 2, titlesBefore.join('\n'));
    assert.match(titlesBefore[1], /^\d+ layers on this line — format the file to see each$/);
    const actions = actionsAt(model, 0);
    assert.equal(actions.length, 1);
    assert.match(actions[0].title, /^Format this Keras model to see a lens above each of its \d+ layers$/);
    assert.equal(actions[0].kind, 'quickfix');
    const replacements = actions[0].edit?.replacements ?? [];
    assert.equal(replacements.length, 1, 'one edit, one undo step');
    assert.deepEqual([replacements[0].range.start.line, replacements[0].range.start.character], [0, 0]);
    assert.equal(replacements[0].range.end.character, kerasText.length);
    model.edit(replacements[0].newText);
    const titlesAfter = lensTitles(model);
    assert.ok(titlesAfter.length > 2, titlesAfter.join('\n'));
    assert.ok(titlesAfter.slice(1).every((title) => title.startsWith('→ ')), titlesAfter.join('\n'));
    assert.deepEqual(actionsAt(model, 0), [], 'nothing left to format');
  });

  it('is not offered away from the model line', () => {
    model.edit(`${kerasText}\n\n`);
    assert.equal(actionsAt(model, 0).length, 1);
    assert.deepEqual(actionsAt(model, 2), []);
  });
});
