// The extension inside VS Code's own build: activation, CodeLens titles and commands through the API.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

async function lensTitles(uri: vscode.Uri): Promise<string[]> {
  // CodeLens providers answer once the model document has been analysed; poll briefly.
  for (let attempt = 0; attempt < 50; attempt++) {
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
    const titles = lenses.map((lens) => lens.command?.title ?? '').filter((title) => title.length > 0);
    if (titles.length > 0) return titles;
    await new Promise((resolveLater) => setTimeout(resolveLater, 200));
  }
  return [];
}

export function extensionScenarios(): void {
  describe('CNN Lab in VS Code (Electron)', () => {
    it('activates and registers its commands', async () => {
      const extension = vscode.extensions.getExtension('cnn-lab.cnn-lab');
      assert.ok(extension, 'extension cnn-lab.cnn-lab is not installed');
      await extension.activate();
      const commands = await vscode.commands.getCommands(true);
      for (const command of ['cnnLab.train', 'cnnLab.doctor', 'cnnLab.showSummary']) {
        assert.ok(commands.includes(command), `${command} is not registered`);
      }
    });

    it('shows Keras shapes and params above the seed-002 conv-pool model', async () => {
      const [file] = await vscode.workspace.findFiles('**/*conv-pool*.model.json');
      assert.ok(file, 'samples/ has no *conv-pool*.model.json');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
      const titles = await lensTitles(file);
      assert.ok(titles.some((title) => title.includes('(None, 26, 26, 64)') && title.includes('640 params')), titles.join('\n'));
      assert.ok(titles.some((title) => title.includes('163,055')), titles.join('\n'));
    });
  });
}
