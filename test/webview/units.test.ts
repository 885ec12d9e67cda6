import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as presentation from '../../src/extension/presentation';
import { formatBytes, formatFlops } from '../../src/model/units';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('one unit style for FLOPs and bytes (editor and panel)', () => {
  it('the editor formats with the same functions the panel bundles', () => {
    assert.equal(presentation.formatFlops, formatFlops);
    assert.equal(presentation.formatBytes, formatBytes);
  });

  it('kilo is a lower-case k, as SI and TensorFlow\'s profiler write it', () => {
    assert.equal(formatFlops(43_264), '43.3 kFLOPs');
    assert.equal(formatFlops(999_940), '999.9 kFLOPs');
    assert.equal(formatFlops(2_100_000), '2.1 MFLOPs');
    assert.equal(formatFlops(640), '640 FLOPs');
    assert.doesNotMatch(formatFlops(5_000), /KFLOPs/);
  });

  it('bytes read as Keras prints memory, in the panel as in the lens', () => {
    assert.equal(formatBytes(652_220), '636.93 KB');
    assert.equal(formatBytes(512), '512.00 B');
  });

  it('the panel has no FLOPs or byte formatter of its own', () => {
    const webview = join(__dirname, '..', '..', 'webview', 'src');
    const files = sources(webview);
    assert.ok(files.length > 5, 'webview sources found');
    const runView = readFileSync(join(webview, 'view', 'runView.ts'), 'utf8');
    assert.match(runView, /import \{[^}]*formatFlops[^}]*\} from '\.\.\/\.\.\/\.\.\/src\/model\/units'/);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      assert.doesNotMatch(text, /KFLOPs|\['', 'K', 'M'/, `${file} spells its own unit prefixes`);
      assert.doesNotMatch(text, /formatScaled\(/, `${file} still scales units itself`);
    }
  });
});
