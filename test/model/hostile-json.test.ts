// Model files built to break the reader: each gives a diagnostic on the line, never a throw or an
// option smuggled in through the prototype (issue: hostile input).
import assert from 'node:assert/strict';
import { analyzeModel } from '../../src/model';

const model = (layers: string): string => `{"name": "m", "inputShape": [4], "layers": [${layers}]}`;

describe('hostile model JSON', () => {
  it('refuses JSON nested 10,000 deep with one diagnostic where the nesting goes too deep, not an internal error', () => {
    const text = model(`{"type": "Dense", "units": 2, "x": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    const analysis = analyzeModel(text, 'deep.model.json');
    assert.equal(analysis.diagnostics.length, 1, JSON.stringify(analysis.diagnostics));
    const [diagnostic] = analysis.diagnostics;
    assert.equal(diagnostic.code, 'parse-error');
    assert.match(diagnostic.message, /nested more than 256 levels deep here.*Flatten the nesting/);
    // The model, its layer list and the layer are 3 levels; the 254th bracket of "x" is level 257.
    assert.equal(diagnostic.range.start.character, text.indexOf('[', text.indexOf('"x"')) + 253);
  });

  it('reports a __proto__ key of a layer as an unknown option and sets nothing through the prototype', () => {
    const analysis = analyzeModel(model('{"type": "Dense", "units": 2, "__proto__": {"activation": "relu"}}'), 'proto.model.json');
    const layer = analysis.ir?.layers[0];
    assert.ok(layer);
    assert.equal(Object.getPrototypeOf(layer.config), Object.prototype);
    assert.equal(layer.config.activation, undefined);
    assert.deepEqual(analysis.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.message.split('.')[0]]), [
      ['unknown-option', "Unrecognized keyword argument passed to Dense: '__proto__'"],
    ]);
  });

  for (const key of ['constructor', 'toString', 'hasOwnProperty', '__defineGetter__']) {
    it(`reports a layer option named '${key}' as unknown instead of finding it on Object.prototype`, () => {
      const analysis = analyzeModel(model(`{"type": "Dense", "units": 2, "${key}": 5}`), 'key.model.json');
      assert.deepEqual(analysis.diagnostics.map((diagnostic) => diagnostic.code), ['unknown-option']);
      assert.match(analysis.diagnostics[0].message, new RegExp(`Unrecognized keyword argument passed to Dense: '${key}'`));
    });
  }

  it('keeps a __proto__ key inside an option value as plain data', () => {
    const analysis = analyzeModel(model('{"type": "Dense", "units": 2, "kernelInitializer": {"className": "GlorotUniform", "config": {"__proto__": {"seed": 1}}}}'), 'nested.model.json');
    const initializer = analysis.ir?.layers[0].config.kernelInitializer as { config: Record<string, unknown> };
    assert.equal(Object.getPrototypeOf(initializer.config), Object.prototype);
    assert.deepEqual(Object.keys(initializer.config), ['__proto__']);
    assert.equal(initializer.config.seed, undefined);
  });
});
