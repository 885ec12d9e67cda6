// The Keras model editor's page and the prediction page (src/extension/kerasEditor.ts,
// kerasHtml.ts): the file's summary as Keras prints it (nested base rows included), a strict CSP
// with a nonce, every name escaped, three buttons that always post an action, a file that cannot
// be read shown with its reason, and `cnnlab predict --json` read back (its error included).
import './runsFake';
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePredictOutput, readKerasPage } from '../../src/extension/kerasEditor';
import { isKerasPageAction, kerasModelHtml, predictionHtml } from '../../src/extension/kerasHtml';
import { analyzeModel } from '../../src/model';

const FIXTURES = join(__dirname, '..', 'fixtures', 'keras-saved');

describe('Keras model editor and prediction pages', function () {
  this.timeout(30_000);

  it('shows the summary of a .h5 file, nested base rows and totals, with the three actions', async () => {
    const page = await readKerasPage(join(FIXTURES, 'mobilenetv2_transfer.h5'));
    assert.equal(page.error, undefined);
    assert.equal(page.kerasVersion, '3.15.1');
    const html = kerasModelHtml(page, 'NONCE');
    assert.match(html, /content="default-src 'none'; img-src data:; style-src 'nonce-NONCE'; script-src 'nonce-NONCE'"/);
    assert.match(html, /mobilenetv2_0\.35_64 \(Functional\)<\/td><td>\(None, 2, 2, 1280\)<\/td><td class="number">410,208<\/td><td>frozen<\/td>/);
    assert.match(html, /<tr class="nested frozen"><td>Conv1 \(Conv2D\)/);
    assert.match(html, /Total params: 416,613/);
    assert.match(html, /Trainable params: 6,405/);
    for (const id of ['predict', 'train', 'fineTune']) assert.match(html, new RegExp(`<button id="${id}"`));
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.match(html, /<script nonce="NONCE">/);
  });

  it('a .keras file reads the same; a broken file shows why, and the buttons still answer', async () => {
    const keras = await readKerasPage(join(FIXTURES, 'partial_frozen.keras'));
    assert.equal(keras.kindLabel, 'Keras 3 native (.keras)');
    assert.equal(keras.analysis?.summary?.totalParams, 65066);
    const dir = mkdtempSync(join(tmpdir(), 'cnnlab-keras-page-'));
    try {
      const cut = join(dir, 'cut.h5');
      writeFileSync(cut, readFileSync(join(FIXTURES, 'mnist_cnn.h5')).subarray(0, 4000));
      const page = await readKerasPage(cut);
      assert.match(page.error?.message ?? '', /cut\.h5 cannot be read as a Keras model: the file does not open as HDF5: it is cut short/);
      const html = kerasModelHtml(page, 'N');
      assert.match(html, /<p class="error">cut\.h5 cannot be read/);
      assert.match(html, /<button id="predict"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('escapes names that come from the file', () => {
    const config = JSON.stringify({
      class_name: 'Sequential',
      config: { name: '<img src=x onerror=alert(1)>', layers: [{ class_name: 'InputLayer', config: { batch_shape: [null, 4], name: 'in' } }, { class_name: 'Dense', config: { units: 2, name: '<script>bad()</script>' } }] },
    });
    const html = kerasModelHtml({ fileName: '<b>x</b>.keras', kindLabel: 'k', analysis: analyzeModel(config, 'x.keras') }, 'N');
    assert.doesNotMatch(html, /<script>bad/);
    assert.doesNotMatch(html, /<img src=x/);
    assert.doesNotMatch(html, /<b>x<\/b>/);
    assert.match(html, /&#60;script&#62;bad\(\)&#60;\/script&#62; \(Dense\)/);
  });

  it('accepts only the three actions from the page', () => {
    assert.ok(isKerasPageAction({ type: 'predict' }));
    assert.ok(isKerasPageAction({ type: 'fineTune' }));
    assert.ok(!isKerasPageAction({ type: 'delete' }));
    assert.ok(!isKerasPageAction(null));
    assert.ok(!isKerasPageAction('train'));
  });

  it("reads cnnlab predict's JSON, its error, and output that is neither", () => {
    const ok = parsePredictOutput('{"source":"m.keras","classNamed":false,"predictions":[{"image":"a.png","probabilities":[0.2,0.8],"top":[{"class":"1","probability":0.8}]}]}', 0);
    assert.equal(ok.predictions?.[0].top[0].class, '1');
    const failed = parsePredictOutput('{"error":{"message":"Layer \'conv2d\' (Conv2D): kernel is [3, 3, 1, 8] in the model but [3, 3, 1, 16] in the file.","hint":"Save again."}}', 2);
    assert.match(failed.error?.message ?? '', /kernel is \[3, 3, 1, 8\]/);
    assert.match(parsePredictOutput('', 1).error?.message ?? '', /did not finish \(exit code 1\)/);
    assert.match(parsePredictOutput('{"predictions": [', null).error?.message ?? '', /exit code none/);
  });

  it('shows each image beside its top classes, without loading anything', () => {
    const html = predictionHtml(
      { source: 'run cnn #3 (model/best)', classNamed: true, images: [{ name: 'cat<1>.png', dataUrl: 'data:image/png;base64,AAAA', top: [{ class: 'cat', probability: 0.875 }] }] },
      'N',
    );
    assert.match(html, /<img src="data:image\/png;base64,AAAA" alt="cat&#60;1&#62;\.png">/);
    assert.match(html, /<td>cat<\/td><td class="number">87\.50 %<\/td><td><progress max="1" value="0\.875"><\/progress>/);
    assert.doesNotMatch(html, /<script/);
    assert.doesNotMatch(html, /numbered from 0/);
    assert.match(predictionHtml({ source: 'm.keras', classNamed: false, images: [] }, 'N'), /numbered from 0/);
  });
});
