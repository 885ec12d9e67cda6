// The editor offers to format a one-line Keras file (a `to_json()` dump) on its line, as a single
// whole-file replacement (one undo step); afterwards each layer has its own lens. The lens that
// counts the layers on that line runs the same format when clicked, as its title says; where the
// line cannot be spread out, it says "open the summary" and opens it.
import './fakeVscode';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import type * as vscode from 'vscode';
import { Ctx } from '../../src/extension/ctx';
import * as editor from '../../src/extension/editor';
import { CodeAction, CodeLens, FakeDocument, Range, state, type Uri, type WorkspaceEdit } from './fakeVscode';

const token = { isCancellationRequested: false } as unknown as vscode.CancellationToken;
const asDocument = (document: FakeDocument) => document as unknown as vscode.TextDocument;
const kerasText = readFileSync('samples/keras/seed003-fashion-mnist-cnn.keras.json', 'utf8');

function actionsAt(document: FakeDocument, line: number): CodeAction[] {
  const provider = state.codeActionProviders[0] as vscode.CodeActionProvider;
  const context = { diagnostics: [], triggerKind: 1, only: undefined } as unknown as vscode.CodeActionContext;
  return provider.provideCodeActions(asDocument(document), new Range(line, 0, line, 0) as unknown as vscode.Range, context, token) as unknown as CodeAction[];
}

function lenses(document: FakeDocument): CodeLens[] {
  const provider = state.codeLensProviders[0] as vscode.CodeLensProvider;
  return provider.provideCodeLenses(asDocument(document), token) as unknown as CodeLens[];
}

function lensTitles(document: FakeDocument): string[] {
  return lenses(document).map((lens) => lens.command.title);
}

const fake = require('vscode') as { workspace: Record<string, unknown> };
const applied: WorkspaceEdit[] = [];

/** Applies whole-document replacements, the only kind the format makes. */
async function applyEdit(edit: WorkspaceEdit): Promise<boolean> {
  applied.push(edit);
  for (const { uri, newText } of edit.replacements) state.documents.find((document) => document.uri.toString() === uri.toString())?.edit(newText);
  return true;
}

/** Clicks a lens: runs its command with its arguments, as VS Code does. */
async function click(lens: CodeLens): Promise<void> {
  await state.commands.get(lens.command.command)?.(...(lens.command.arguments ?? []));
}

describe('format a one-line Keras model (editor glue)', () => {
  let ctx: Ctx;
  let model: FakeDocument;

  before(() => (fake.workspace.applyEdit = applyEdit));
  after(() => delete fake.workspace.applyEdit);

  beforeEach(() => {
    state.reset();
    applied.length = 0;
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

  it('the count lens formats the file when clicked, in the same single edit as the quick fix', async () => {
    const pile = lenses(model)[1];
    assert.match(pile.command.title, /^\d+ layers on this line — format the file to see each$/);
    assert.equal(pile.command.command, 'cnnLab.formatOneLineModel');
    assert.equal((pile.command.arguments?.[0] as Uri).toString(), model.uri.toString());
    const quickFix = actionsAt(model, 0)[0].edit?.replacements;
    await click(pile);
    assert.equal(applied.length, 1);
    assert.deepEqual(applied[0].replacements, quickFix, 'the quick fix\'s edit');
    assert.ok(lensTitles(model).slice(1).every((title) => title.startsWith('→ ')), lensTitles(model).join('\n'));
    await click(pile);
    assert.equal(applied.length, 1, 'clicking a stale lens on a formatted file changes nothing');
    assert.match(state.log.join('\n'), /nothing left to spread out/);
  });

  it('a line that formatting cannot spread out (JSON with comments) gets a lens that says "open the summary", and does', async () => {
    const commented = `${kerasText.trimEnd()} // exported from Keras\n`;
    model.edit(commented);
    assert.deepEqual(actionsAt(model, 0), [], 'no format offer: the comment would be lost');
    const pile = lenses(model)[1];
    assert.match(pile.command.title, /^\d+ layers on this line — open the summary to see each$/);
    assert.equal(pile.command.command, 'cnnLab.showSummary');
    await click(pile);
    assert.equal(applied.length, 0);
    assert.deepEqual(state.shown.map((document) => (document as FakeDocument).uri.toString()), ['cnnlab-summary:///fashion.json (summary)?file:///w/fashion.json']);
  });

  it('so does a TypeScript model with its layers on one line', () => {
    const ts = "import * as tf from '@tensorflow/tfjs';\nexport default tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4] }), tf.layers.dense({ units: 8 }), tf.layers.dense({ units: 2 })] });\n";
    const tsModel = new FakeDocument('/w/t.model.ts', 'typescript', ts);
    state.documents.push(tsModel);
    const pile = lenses(tsModel).find((lens) => lens.command.title.includes('on this line'));
    assert.equal(pile?.command.title, '3 layers on this line — open the summary to see each');
    assert.equal(pile?.command.command, 'cnnLab.showSummary');
  });
});

