// The Runs view, the run commands and the panel host against hostile run.json text and bad or huge
// metrics.jsonl files (issue 9, items 9 and 12): names from the workspace never become live
// Markdown, skipped metrics lines are counted where the run is shown and in export results, and a
// big export never stalls the extension host.
import { runsUi, setWorkspaceFolders, TreeItem } from './runsFake';
import { strict as assert } from 'node:assert';
import { mkdirSync, statSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { Ctx } from '../../src/extension/ctx';
import { ModelDocuments } from '../../src/extension/modelDocuments';
import { readRunForPanel } from '../../src/extension/panel';
import type { RunCatalog } from '../../src/extension/runCatalog';
import { register } from '../../src/extension/runs';
import { ModelGroupNode, RunNode, RunsTreeProvider } from '../../src/extension/runsView';
import { escapeMarkdown } from '../../src/model/markdownText';
import type { TrainerManager } from '../../src/extension/trainerManager';
import type { RunRecord } from '../../src/runs/format';
import { runsDirFor } from '../../src/runs/store';
import { Uri, state } from './fakeVscode';
import { plantRun, sampleRecord } from '../trainer/runFolders';

// markdown-it renders CommonMark as VS Code's hover does; with HTML and linkify on it is stricter than VS Code.
const MarkdownIt = require('markdown-it') as new (options: object) => { render(text: string): string };
const render = (markdown: string): string => new MarkdownIt({ html: true, linkify: true }).render(markdown);

const fakeTrainer = { sessions: [], onDidChangeSessions: () => ({ dispose: () => undefined }), start: async () => undefined } as unknown as TrainerManager;

function workspace(): { base: string; runsDir: string } {
  const base = mkdtempSync(join(tmpdir(), 'cnnlab-runs-metrics-'));
  const ws = join(base, 'ws');
  const runsDir = runsDirFor(ws);
  mkdirSync(runsDir, { recursive: true });
  setWorkspaceFolders([ws]);
  return { base, runsDir };
}

const epochLine = (epoch: number): string => JSON.stringify({ kind: 'epoch', epoch, logs: { loss: 1 / (epoch + 1), val_loss: 1 }, time: 1_767_225_600_000 + epoch });
const BAD = ['null', '{"kind":"epoch","epoch":1,"logs":{"loss":1},"time":1e300}', '{"kind":"batch","epoch":0,"logs":{},"time":"soon"}'];

describe('Runs view, run commands and panel with hostile run text and metrics (issue 9.9, 9.12)', () => {
  let ctx: Ctx;
  let catalog: RunCatalog;
  let tree: RunsTreeProvider;

  beforeEach(() => {
    state.reset();
    runsUi.reset();
    ctx = new Ctx({ extensionUri: Uri.file('/ext') } as unknown as vscode.ExtensionContext);
    catalog = register(ctx, fakeTrainer, ctx.own(new ModelDocuments(ctx)));
    tree = new RunsTreeProvider(catalog);
  });

  afterEach(() => {
    tree.dispose();
    ctx.dispose();
    setWorkspaceFolders([]);
  });

  /** Every run row of the Runs view with its tooltip resolved, as on hover. */
  async function hoveredRows(): Promise<{ node: RunNode; item: TreeItem; tooltip: vscode.MarkdownString }[]> {
    const groups = (await tree.getChildren()).filter((node): node is ModelGroupNode => node instanceof ModelGroupNode);
    const rows = [];
    for (const node of groups.flatMap((group) => group.runs)) {
      const item = tree.getTreeItem(node);
      const resolved = (await tree.resolveTreeItem(item, node)) as unknown as TreeItem;
      rows.push({ node, item: resolved, tooltip: resolved.tooltip as vscode.MarkdownString });
    }
    return rows;
  }

  it('run tooltips show labels, tags, model file and error messages as text: an image link in a label loads nothing on hover', async () => {
    const { runsDir } = workspace();
    const hostile: Partial<RunRecord> = {
      label: '![x](https://evil.example/track.png)',
      tags: ['[open](command:workbench.action.terminal.new)', '<img src="https://evil.example/a.png">', '$(alert) `code`'],
      modelFile: '![m](https://evil.example/m.png).model.json',
      dataset: '<a href="https://evil.example">shapes</a>',
      backend: { name: '**wasm**', device: '[cpu]: https://evil.example/ref' } as unknown as RunRecord['backend'],
      status: 'failed',
      error: { message: 'boom\n\n# Heading\n[ref]: https://evil.example/r.png\n![r][ref] https://evil.example/bare &amp; &lt;b&gt;' },
    };
    plantRun(runsDir, '20260101-hostile', sampleRecord('x', hostile));
    const [row] = await hoveredRows();
    assert.ok(row, 'the run is listed');
    const tooltip = row.tooltip;
    assert.notEqual(tooltip.isTrusted, true, 'untrusted: no command links');
    assert.equal(tooltip.supportHtml, false);
    const html = render(tooltip.value);
    assert.doesNotMatch(html, /<(img|a|script|h\d|em|code)[\s>]/i, html);
    assert.doesNotMatch(tooltip.value, /(^|[^\\])(!?\[|\]\(|<|https:)/, 'no unescaped link, image, HTML or autolink syntax');
    // What the user sees is the text itself.
    for (const text of ['![x](https://evil.example/track.png)', '[open](command:workbench.action.terminal.new)', '$(alert) `code`', 'boom # Heading [ref]: https://evil.example/r.png', '&amp;amp; &amp;lt;b&amp;gt;']) {
      assert.ok(html.includes(text.replace(/&(?!amp;)/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')), `${text} shown as text in ${html}`);
    }
  });

  it('escapeMarkdown leaves no Markdown syntax and shows exactly the text', () => {
    const samples = ['![x](https://evil.example/t.png)', '<img src=x onerror=alert(1)>', '*a* _b_ `c` ~~d~~ [e]', 'line\nbreak\r# h', 'https://evil.example www.evil.example', '\\![x](y)', '&lt;'];
    for (const sample of samples) {
      const html = render(escapeMarkdown(sample));
      assert.doesNotMatch(html, /<(img|a|em|strong|code|s|del|h\d)\b/, `${sample} → ${html}`);
    }
  });

  it('says in the run tooltip how many unreadable metrics.jsonl lines were skipped', async () => {
    const { runsDir } = workspace();
    const runDir = plantRun(runsDir, '20260101-bad-metrics', sampleRecord('x'));
    writeFileSync(join(runDir, 'metrics.jsonl'), `${epochLine(0)}\n${BAD.join('\n')}\n${epochLine(1)}\n`);
    plantRun(runsDir, '20260102-clean', sampleRecord('y'));
    writeFileSync(join(runsDir, '20260102-clean', 'metrics.jsonl'), `${epochLine(0)}\n`);
    const rows = await hoveredRows();
    const text = (id: string): string => render(rows.find((row) => row.node.runId === id)?.tooltip.value ?? '');
    assert.match(text('20260101-bad-metrics'), /3 unreadable lines in metrics\.jsonl skipped/);
    assert.doesNotMatch(text('20260102-clean'), /unreadable/);
    // Counted once per version of the file: a new bad line is counted on the next hover.
    writeFileSync(join(runDir, 'metrics.jsonl'), 'null\n', { flag: 'a' });
    const again = await hoveredRows();
    assert.match(render(again.find((row) => row.node.runId === '20260101-bad-metrics')?.tooltip.value ?? ''), /4 unreadable lines/);
  });

  it('reports skipped metrics lines in the CSV and TensorBoard export results, and exports the good lines', async () => {
    const { base, runsDir } = workspace();
    const runDir = plantRun(runsDir, '20260101-export', sampleRecord('x'));
    writeFileSync(join(runDir, 'metrics.jsonl'), `${epochLine(0)}\n${BAD.join('\n')}\n${epochLine(1)}\n`);
    const [entry] = await catalog.ready();
    runsUi.saveDialog = Uri.file(join(base, 'out.csv'));
    await (state.commands.get('cnnLab.exportMetricsCsv') as (...args: unknown[]) => Promise<void>)(new RunNode(entry));
    assert.deepEqual(runsUi.errors, []);
    assert.match(runsUi.warnings.join('\n'), /wrote 2 rows to .*out\.csv\. 3 unreadable lines in metrics\.jsonl skipped/);
    assert.equal(readFileSync(join(base, 'out.csv'), 'utf8').trimEnd().split('\r\n').length, 3);

    runsUi.openDialog = [Uri.file(join(base, 'tb'))];
    mkdirSync(join(base, 'tb'));
    await (state.commands.get('cnnLab.exportTensorBoard') as (...args: unknown[]) => Promise<void>)(new RunNode(entry));
    assert.deepEqual(runsUi.errors, []);
    assert.match(runsUi.warnings.join('\n'), /TensorBoard logs written \(2 metrics lines; 3 unreadable lines in metrics\.jsonl skipped\)/);
  });

  it('offers .cnnlab/exports/ for exports, not the workspace root, and names that logdir for TensorBoard', async () => {
    const { base, runsDir } = workspace();
    const runDir = plantRun(runsDir, '20260101-export', sampleRecord('x'));
    writeFileSync(join(runDir, 'metrics.jsonl'), `${epochLine(0)}\n`);
    const [entry] = await catalog.ready();
    await (state.commands.get('cnnLab.exportMetricsCsv') as (...args: unknown[]) => Promise<void>)(new RunNode(entry));
    await (state.commands.get('cnnLab.exportTensorBoard') as (...args: unknown[]) => Promise<void>)(new RunNode(entry));
    const exportsDir = join(base, 'ws', '.cnnlab', 'exports');
    assert.deepEqual(runsUi.dialogDefaults, [join(exportsDir, '20260101-export.metrics.csv'), join(exportsDir, 'tensorboard')]);
    assert.ok(statSync(join(exportsDir, 'tensorboard')).isDirectory());

    runsUi.openDialog = [Uri.file(join(exportsDir, 'tensorboard'))];
    await (state.commands.get('cnnLab.exportTensorBoard') as (...args: unknown[]) => Promise<void>)(new RunNode(entry));
    assert.match(runsUi.infos.join('\n'), new RegExp(`tensorboard --logdir "${join(exportsDir, 'tensorboard').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
  });

  it('tells the panel what was skipped and sends a long history as a bounded sample', async () => {
    const { runsDir } = workspace();
    const runDir = plantRun(runsDir, '20260101-panel', sampleRecord('x'));
    const lines = Array.from({ length: 3000 }, (_, step) => JSON.stringify({ kind: 'batch', epoch: 0, batch: step, step, logs: { loss: 1 }, time: 1_767_225_600_000 + step }));
    writeFileSync(join(runDir, 'metrics.jsonl'), `${lines.join('\n')}\nnull\n${epochLine(0)}\n`);
    const { metrics, notes } = await readRunForPanel(runDir, 100);
    assert.ok(metrics.length <= 103, `${metrics.length} lines sent`);
    assert.equal(notes.length, 1);
    assert.match(notes[0], /^1 unreadable line in metrics\.jsonl skipped; showing \d{2,3} of 3,001 metrics lines, evenly spread\.$/);
    const whole = await readRunForPanel(runDir);
    assert.equal(whole.metrics.length, 3001, 'an ordinary run is sent whole');
    assert.deepEqual(whole.notes, ['1 unreadable line in metrics.jsonl skipped.']);
  });

  it('exports TensorBoard logs of a large metrics.jsonl without stalling the extension host', async function () {
    this.timeout(120_000);
    const { base, runsDir } = workspace();
    const runDir = plantRun(runsDir, '20260101-big', sampleRecord('x'));
    // About 7 MB, 60k lines: the whole-file path stalled the host for over a second here.
    const lines: string[] = [];
    for (let step = 0; step < 60_000; step++) {
      lines.push(JSON.stringify(step % 1000 === 999 ? { kind: 'epoch', epoch: Math.floor(step / 1000), logs: { loss: 0.5, acc: 0.5, val_loss: 0.6, val_acc: 0.4 }, time: 1_767_225_600_000 + step } : { kind: 'batch', epoch: Math.floor(step / 1000), batch: step % 1000, step, logs: { loss: 0.5, acc: 0.5 }, time: 1_767_225_600_000 + step }));
    }
    writeFileSync(join(runDir, 'metrics.jsonl'), `${lines.join('\n')}\n`);
    const [entry] = await catalog.ready();
    runsUi.openDialog = [Uri.file(join(base, 'tb'))];
    mkdirSync(join(base, 'tb'));
    let last = performance.now();
    let longest = 0;
    const heartbeat = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }, 5);
    try {
      await (state.commands.get('cnnLab.exportTensorBoard') as (...args: unknown[]) => Promise<void>)(new RunNode(entry));
    } finally {
      clearInterval(heartbeat);
    }
    longest = Math.max(longest, performance.now() - last);
    assert.deepEqual(runsUi.errors, []);
    assert.match(runsUi.infos.join('\n'), /TensorBoard logs written \(60000 metrics lines\)/);
    assert.ok(longest < 300, `the host stalled for ${Math.round(longest)} ms`);
    console.log(`      longest stall ${Math.round(longest)} ms`);
  });
});
