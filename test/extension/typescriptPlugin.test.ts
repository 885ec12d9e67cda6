// The TypeScript server plugin (src/tsPlugin), loaded the way VS Code loads it: a real tsserver
// ProjectService with the plugin as a global plugin, probed for in an extension folder laid out like
// the installed .vsix (node_modules/cnnlab-typescript-plugin/{package.json,index.js,typings/}),
// with the plugin bundled by esbuild and the typings copied by the build's own script.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import ts from 'typescript';

const repository = resolve(__dirname, '../..');
const pluginName = 'cnnlab-typescript-plugin';

const sampleModel = 'seed003-fashion-mnist-cnn.model.ts';
// A misspelt option: TypeScript can only report it if it knows conv2d's real argument type.
const misspeltModel = `import * as tf from '@tensorflow/tfjs';

export default tf.sequential({
  layers: [tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activaton: 'relu' })],
});
`;

interface Server {
  service: ts.server.ProjectService;
  log: string[];
  /** Closes the file system watchers the server opened. */
  stop: () => void;
}

/** A tsserver ProjectService on the real file system, with or without the plugin from `extensionDir`. */
function startServer(extensionDir: string | undefined): Server {
  const watchers = new Set<ts.FileWatcher>();
  let stopped = false;
  const watched = (watcher: ts.FileWatcher): ts.FileWatcher => {
    // A project update the service scheduled before stop() may still ask for watchers after it;
    // left open, Node's file watchers would keep mocha from exiting.
    if (stopped) {
      watcher.close();
      return { close: () => undefined };
    }
    const tracked = { close: () => watchers.delete(tracked) && watcher.close() };
    watchers.add(tracked);
    return tracked;
  };
  const log: string[] = [];
  const logger: ts.server.Logger = {
    close: () => undefined,
    hasLevel: () => true,
    loggingEnabled: () => true,
    perftrc: () => undefined,
    info: (line) => void log.push(line),
    msg: (line) => void log.push(line),
    startGroup: () => undefined,
    endGroup: () => undefined,
    getLogFileName: () => undefined,
  };
  const host: ts.server.ServerHost = {
    ...ts.sys,
    // Node's own watchers, as tsserver uses: a package installed later must be noticed.
    watchFile: (...args) => watched(ts.sys.watchFile!(...args)),
    watchDirectory: (...args) => watched(ts.sys.watchDirectory!(...args)),
    setTimeout,
    clearTimeout,
    setImmediate,
    clearImmediate,
    // As Node's tsserver does: `moduleName` looked up from `<probe location>/node_modules`.
    require: (initialDir, moduleName) => {
      try {
        return { module: createRequire(join(initialDir, 'index.js'))(moduleName) as object, error: undefined };
      } catch (error) {
        return { module: undefined, error: error as Error };
      }
    },
  };
  const service = new ts.server.ProjectService({
    host,
    logger,
    cancellationToken: ts.server.nullCancellationToken,
    useSingleInferredProject: false,
    useInferredProjectPerProjectRoot: true,
    typingsInstaller: ts.server.nullTypingsInstaller,
    session: undefined,
    globalPlugins: extensionDir ? [pluginName] : [],
    pluginProbeLocations: extensionDir ? [extensionDir] : [],
    allowLocalPluginLoads: false,
  });
  // What VS Code sets for files outside any tsconfig (typescript-language-features, TS 5.4 and later).
  service.setCompilerOptionsForInferredProjects({
    module: 'ESNext' as ts.server.protocol.ModuleKind,
    moduleResolution: 'Bundler' as ts.server.protocol.ModuleResolutionKind,
    target: 'ES2022' as ts.server.protocol.ScriptTarget,
    strict: true,
    allowJs: true,
    allowNonTsExtensions: true,
  });
  const stop = (): void => {
    stopped = true;
    for (const watcher of [...watchers]) watcher.close();
  };
  return { service, log, stop };
}

function open(server: Server, file: string, projectRoot: string): ts.LanguageService {
  server.service.openClientFile(file, undefined, ts.ScriptKind.TS, projectRoot);
  const project = server.service.getDefaultProjectForFile(ts.server.toNormalizedPath(file), true);
  assert.ok(project, `no project for ${file}`);
  return project.getLanguageService();
}

function errorsOf(service: ts.LanguageService, file: string): { code: number; text: string }[] {
  return [...service.getSyntacticDiagnostics(file), ...service.getSemanticDiagnostics(file)].map((diagnostic) => ({
    code: diagnostic.code,
    text: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
  }));
}

function quickInfoAt(service: ts.LanguageService, file: string, text: string, needle: string): string {
  const position = text.indexOf(needle);
  assert.ok(position >= 0, `${needle} is not in ${file}`);
  const info = service.getQuickInfoAtPosition(file, position + 1);
  return ts.displayPartsToString(info?.displayParts ?? []);
}

function sourceFilesOf(service: ts.LanguageService): string[] {
  return (service.getProgram()?.getSourceFiles() ?? []).map((source) => source.fileName);
}

describe('TypeScript server plugin: @tensorflow/tfjs imports without tfjs in the workspace', function () {
  // Two tsservers load ~600 tfjs declaration files each; the machine may be busy.
  this.timeout(180_000);

  let root: string;
  let extensionDir: string;
  let typingsRoot: string;
  let withPlugin: Server;
  let withoutPlugin: Server;
  const sampleText = ts.sys.readFile(join(repository, 'samples', sampleModel)) ?? '';

  /** A folder of the temp dir holding `files`; none of its parents has a node_modules. */
  function workspace(name: string, files: Record<string, string>): string {
    const folder = join(root, name);
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(join(folder, file, '..'), { recursive: true });
      writeFileSync(join(folder, file), text);
    }
    return folder;
  }

  before(async function () {
    root = mkdtempSync(join(tmpdir(), 'cnnlab-tsplugin-'));
    extensionDir = join(root, 'extension');
    const pluginDir = join(extensionDir, 'node_modules', pluginName);
    typingsRoot = join(pluginDir, 'typings');
    mkdirSync(pluginDir, { recursive: true });
    copyFileSync(join(repository, 'ts-plugin', 'package.json'), join(pluginDir, 'package.json'));
    await esbuild.build({
      entryPoints: [join(repository, 'src', 'tsPlugin', 'main.ts')],
      outfile: join(pluginDir, 'index.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'silent',
    });
    execFileSync(process.execPath, [join(repository, 'scripts', 'tfjs-typings.mjs'), typingsRoot], { cwd: repository });
    withPlugin = startServer(extensionDir);
    withoutPlugin = startServer(undefined);
  });

  after(function () {
    withPlugin?.stop();
    withoutPlugin?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('without the plugin, the sample model reports ts2307 (the workspace has no tfjs)', function () {
    const folder = workspace('bare-without-plugin', { [sampleModel]: sampleText });
    const file = join(folder, sampleModel);
    const errors = errorsOf(open(withoutPlugin, file, folder), file);
    assert.ok(
      errors.some((error) => error.code === 2307 && error.text.includes("'@tensorflow/tfjs'")),
      `expected ts2307 for @tensorflow/tfjs, got ${JSON.stringify(errors)}`,
    );
  });

  it('with the plugin, the sample model has no errors and tf.layers.conv2d has its tfjs signature', function () {
    const folder = workspace('bare', { [sampleModel]: sampleText });
    const file = join(folder, sampleModel);
    const service = open(withPlugin, file, folder);
    assert.ok(
      withPlugin.log.some((line) => line.includes(`${pluginName}: unresolved @tensorflow/* imports fall back to`)),
      'tsserver did not load the plugin',
    );
    assert.deepEqual(errorsOf(service, file), []);
    const conv2d = quickInfoAt(service, file, sampleText, 'conv2d');
    assert.match(conv2d, /function conv2d\(args: ConvLayerArgs\): Conv2D/);
    // Completion inside the first conv2d's options proposes the ConvLayerArgs names it does not set yet.
    const optionsStart = sampleText.indexOf('tf.layers.conv2d({') + 'tf.layers.conv2d({'.length;
    const completions = service.getCompletionsAtPosition(file, optionsStart, {})?.entries.map((entry) => entry.name) ?? [];
    for (const option of ['strides', 'dilationRate', 'kernelInitializer', 'useBias']) assert.ok(completions.includes(option), completions.join(', '));
    const sequential = quickInfoAt(service, file, sampleText, 'sequential');
    assert.match(sequential, /sequential\(config\?: (tf\.)?SequentialArgs\): (tf\.)?Sequential/);
    assert.ok(
      sourceFilesOf(service).some((source) => source.startsWith(typingsRoot.split('\\').join('/')) && source.endsWith('/@tensorflow/tfjs/dist/index.d.ts')),
      'the program does not hold the bundled tfjs declarations',
    );
  });

  it('with the plugin, a misspelt conv2d option is a TypeScript error against ConvLayerArgs', function () {
    const folder = workspace('misspelt', { 'typo.model.ts': misspeltModel });
    const file = join(folder, 'typo.model.ts');
    const errors = errorsOf(open(withPlugin, file, folder), file);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0]!.code, 2561);
    assert.match(errors[0]!.text, /'activaton' does not exist in type 'ConvLayerArgs'. Did you mean to write 'activation'\?/);
  });

  it('resolves @tensorflow/tfjs-node and -node-gpu imports to the tfjs API, and tfjs-layers / tfjs-core to their own', function () {
    const text = `import * as tf from '@tensorflow/tfjs-node';
import * as gpu from '@tensorflow/tfjs-node-gpu';
import { layers } from '@tensorflow/tfjs-layers';
import { Tensor } from '@tensorflow/tfjs-core';

export const a = tf.layers.dense({ units: 10 });
export const b = gpu.layers.maxPooling2d({ poolSize: 2 });
export const c = layers.flatten();
export function rank(t: Tensor): number {
  return t.rank;
}
`;
    const folder = workspace('node-imports', { 'node.model.ts': text });
    const file = join(folder, 'node.model.ts');
    const service = open(withPlugin, file, folder);
    assert.deepEqual(errorsOf(service, file), []);
    assert.match(quickInfoAt(service, file, text, 'dense'), /function dense\(args: DenseLayerArgs\): Dense/);
  });

  it('a tfjs installed in the workspace wins over the bundled typings', function () {
    const folder = workspace('own-tfjs', {
      'node_modules/@tensorflow/tfjs/package.json': JSON.stringify({ name: '@tensorflow/tfjs', version: '9.9.9', types: 'index.d.ts' }),
      'node_modules/@tensorflow/tfjs/index.d.ts': 'export declare const workspaceCopy: true;\n',
      'own.model.ts': "import * as tf from '@tensorflow/tfjs';\nexport const fromWorkspace: true = tf.workspaceCopy;\n",
    });
    const file = join(folder, 'own.model.ts');
    const service = open(withPlugin, file, folder);
    assert.deepEqual(errorsOf(service, file), []);
    const files = sourceFilesOf(service);
    assert.ok(files.includes(join(folder, 'node_modules/@tensorflow/tfjs/index.d.ts').split('\\').join('/')), files.join('\n'));
    assert.ok(!files.some((source) => source.includes('/cnnlab-typescript-plugin/typings/')), 'bundled typings were loaded as well');
  });

  it('a tfjs installed after the model was opened takes over from the bundled typings', async function () {
    const text = "import * as tf from '@tensorflow/tfjs';\nexport const model = tf.sequential();\n";
    const folder = workspace('installed-later', { 'later.model.ts': text });
    const file = join(folder, 'later.model.ts');
    const service = open(withPlugin, file, folder);
    assert.deepEqual(errorsOf(service, file), []);
    assert.ok(sourceFilesOf(service).some((source) => source.includes('/cnnlab-typescript-plugin/typings/')));

    workspace('installed-later', {
      'node_modules/@tensorflow/tfjs/package.json': JSON.stringify({ name: '@tensorflow/tfjs', version: '9.9.9', types: 'index.d.ts' }),
      'node_modules/@tensorflow/tfjs/index.d.ts': 'export declare function sequential(): "from the workspace";\n',
    });
    const installed = join(folder, 'node_modules/@tensorflow/tfjs/index.d.ts').split('\\').join('/');
    const deadline = Date.now() + 60_000;
    while (!sourceFilesOf(service).includes(installed)) {
      assert.ok(Date.now() < deadline, 'tsserver never switched to the installed tfjs');
      await new Promise((resolveLater) => setTimeout(resolveLater, 200));
    }
    assert.match(quickInfoAt(service, file, text, 'sequential'), /"from the workspace"/);
    assert.ok(!sourceFilesOf(service).some((source) => source.includes('/cnnlab-typescript-plugin/typings/')), 'bundled typings still loaded');
  });

  it('works in a tsconfig project on classic resolution ("module": "esnext" alone)', function () {
    const folder = workspace('classic', {
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'esnext', target: 'es2020', strict: true }, include: ['*.ts'] }),
      [sampleModel]: sampleText,
      'typo.model.ts': misspeltModel,
    });
    const file = join(folder, sampleModel);
    const service = open(withPlugin, file, folder);
    assert.equal(service.getProgram()?.getCompilerOptions().configFilePath, join(folder, 'tsconfig.json').split('\\').join('/'));
    // No moduleResolution with module ESNext: TypeScript 5 resolves the classic way (node_modules unseen).
    const options = service.getProgram()!.getCompilerOptions();
    assert.equal(options.moduleResolution, undefined);
    assert.equal(options.module, ts.ModuleKind.ESNext);
    assert.deepEqual(errorsOf(service, file), []);
    const typo = errorsOf(service, join(folder, 'typo.model.ts'));
    assert.deepEqual(
      typo.map((error) => error.code),
      [2561],
      JSON.stringify(typo),
    );
  });
});
