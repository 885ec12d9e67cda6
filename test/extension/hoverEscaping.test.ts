// The layer hover shows layer names and types from the workspace as text, never as Markdown: a URL
// in a name must not become a link, nor `<img>` an image, `&amp;` an ampersand, backticks code or
// `$(alert)` an icon (issue 10).
import './fakeVscode';
import { strict as assert } from 'node:assert';
import type * as vscode from 'vscode';
import { Ctx } from '../../src/extension/ctx';
import * as editor from '../../src/extension/editor';
import { escapeMarkdown } from '../../src/model/markdownText';
import { FakeDocument, Position, state, type MarkdownString } from './fakeVscode';

// markdown-it renders CommonMark as VS Code's hover does; with HTML and linkify on it is stricter than VS Code.
const MarkdownIt = require('markdown-it') as new (options: object) => { render(text: string): string };
const render = (markdown: string): string => new MarkdownIt({ html: true, linkify: true }).render(markdown);

const token = { isCancellationRequested: false } as unknown as vscode.CancellationToken;

const hostileNames = [
  'http://x.y',
  'see https://evil.example/a?b=c&d=e now',
  'www.evil.example',
  'mail a@b.co',
  '[a](b)',
  '![x](https://evil.example/t.png)',
  '<img src=x onerror=alert(1)>',
  '<https://evil.example>',
  '&amp; &lt;b&gt; &#60;',
  '`code` ``two``',
  '$(alert) *em* _em_ ~~s~~ # h',
  'line\nbreak\r# heading',
  '[open](command:workbench.action.terminal.new)',
  '\\![x](y) \\',
];

/** What markdown-it shows for `text` as plain text: its own HTML escaping, nothing else. */
function asShown(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f]+/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function hoverAt(document: FakeDocument, line: number): MarkdownString & { isTrusted?: boolean; supportHtml?: boolean; supportThemeIcons?: boolean } {
  const provider = state.hoverProviders[0] as vscode.HoverProvider;
  const hover = provider.provideHover(document as unknown as vscode.TextDocument, new Position(line, 8) as unknown as vscode.Position, token) as unknown as { contents: MarkdownString };
  assert.ok(hover, `a hover on line ${line}`);
  return hover.contents;
}

function modelFile(names: string[]): string {
  const layers = names.map((name) => `    ${JSON.stringify({ type: 'Dense', units: 2, name })}`);
  return `{\n  "inputShape": [4],\n  "layers": [\n${layers.join(',\n')}\n  ]\n}\n`;
}

describe('layer hover: workspace names are text', () => {
  let ctx: Ctx;

  beforeEach(() => {
    state.reset();
    ctx = new Ctx({} as vscode.ExtensionContext);
  });

  afterEach(() => ctx.dispose());

  it('shows every hostile layer name exactly, with no link, image, HTML, entity, code or icon', () => {
    const model = new FakeDocument('/w/hostile.model.json', 'json', modelFile(hostileNames));
    state.documents.push(model);
    editor.register(ctx);
    hostileNames.forEach((name, index) => {
      const markdown = hoverAt(model, 3 + index);
      const heading = render(markdown.value.split('\n\n')[0]);
      assert.equal(heading, `<p><strong>${asShown(name)}</strong> (Dense)</p>\n`, `${JSON.stringify(name)} → ${markdown.value}`);
      assert.equal(markdown.isTrusted, false);
      assert.equal(markdown.supportHtml, false);
      assert.equal(markdown.supportThemeIcons, false);
    });
  });

  it('escapes a hostile layer type from a Keras file the same way (an unknown type names the layer too)', () => {
    const keras = JSON.stringify({ class_name: 'Sequential', config: { name: 'm', layers: [{ class_name: 'http://x.y', config: { batch_input_shape: [null, 4] } }] } });
    const model = new FakeDocument('/w/odd.json', 'json', keras);
    state.documents.push(model);
    editor.register(ctx);
    const provider = state.hoverProviders[0] as vscode.HoverProvider;
    const position = new Position(0, keras.indexOf('http://x.y')) as unknown as vscode.Position;
    const hover = provider.provideHover(model as unknown as vscode.TextDocument, position, token) as unknown as { contents: MarkdownString };
    assert.equal(render(hover.contents.value.split('\n\n')[0]), '<p><strong>http://x.y</strong> (http://x.y)</p>\n');
  });

  it('escapeMarkdown escapes every ASCII punctuation character and flattens control characters', () => {
    const punctuation = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
    assert.equal(escapeMarkdown(punctuation), [...punctuation].map((character) => `\\${character}`).join(''));
    assert.equal(escapeMarkdown('a\nb\u2028c\td'), 'a b c d');
    assert.equal(escapeMarkdown('plain name 123 ü'), 'plain name 123 ü');
  });
});
