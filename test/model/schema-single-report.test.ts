// Each problem in a `*.model.json` is reported once (issue 10, item 9). VS Code validates the file
// against schemas/model.schema.json and CNN Lab checks it too; every typo used to appear twice.
// CNN Lab keeps the report (Keras wording, "Did you mean", quick fixes; see src/model/schema.ts),
// so the schema must not validate anything CNN Lab checks: it only proposes names and values.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMON_OPTIONS, LAYER_CATALOG } from '../../src/model/catalog';
import { ACTIVATIONS } from '../../src/model/vocabulary';
import { analyzeModel, buildModelSchema } from '../../src/model/index';

type Schema = Record<string, unknown>;

/** Keywords that make VS Code report a problem (as opposed to annotations and completion hints). */
const VALIDATING = new Set([
  'type', 'enum', 'const', 'required', 'additionalProperties', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'minItems', 'maxItems', 'minLength', 'maxLength', 'pattern', 'uniqueItems', 'not', 'oneOf', 'anyOf', 'propertyNames', 'dependencies',
]);

/** JSON pointers of every validating keyword, not looking inside `if` (which only selects a branch) or annotations. */
function validatingKeywords(schema: unknown, path = ''): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  if (Array.isArray(schema)) return schema.flatMap((item, index) => validatingKeywords(item, `${path}/${index}`));
  const found: string[] = [];
  for (const [key, value] of Object.entries(schema as Schema)) {
    if (key === 'if' || key === 'default' || key === 'defaultSnippets' || key === 'description') continue;
    if (VALIDATING.has(key)) {
      found.push(`${path}/${key}`);
      continue;
    }
    if (key === 'properties') {
      for (const [name, property] of Object.entries(value as Schema)) found.push(...validatingKeywords(property, `${path}/properties/${name}`));
    } else {
      found.push(...validatingKeywords(value, `${path}/${key}`));
    }
  }
  return found;
}

const proposed = (schema: unknown): unknown[] => ((schema as { defaultSnippets?: { body: unknown }[] }).defaultSnippets ?? []).map((snippet) => snippet.body);

describe('model schema: completion only where CNN Lab reports', () => {
  const schema = buildModelSchema() as Schema;
  const layerVariants = ((schema.properties as Schema).layers as { items: { allOf: { if: Schema; then: { properties: Schema } }[] } }).items.allOf;

  it('validates only what CNN Lab does not check: name, description, $schema, outputs, and keys inside training\'s nested objects', () => {
    const sites = validatingKeywords(schema).filter((site) => !site.startsWith('/$schema'));
    const allowed = [
      /^\/properties\/\$schema\/type$/,
      /^\/properties\/name\/type$/,
      /^\/properties\/description\/type$/,
      /^\/properties\/outputs\/anyOf$/,
      /^\/properties\/training\/properties\/(optimizer|earlyStopping|reduceLROnPlateau|checkpoint|augmentation)\/properties\/\w+\/type$/,
    ];
    const unexpected = sites.filter((site) => !allowed.some((pattern) => pattern.test(site)));
    assert.deepEqual(unexpected, []);
    // The optimizer's name is checked by CNN Lab, so it is only proposed.
    assert.ok(!sites.includes('/properties/training/properties/optimizer/properties/name/enum'));
  });

  it('still proposes every layer type, every option of the chosen layer with its description, and the allowed values', () => {
    const typeProposals = proposed((((schema.properties as Schema).layers as Schema).items as { properties: Schema }).properties.type);
    // The keras.applications bases and a saved model (src/model/applications) after the catalogue's layers.
    assert.deepEqual(typeProposals, [...LAYER_CATALOG.map((layerKind) => layerKind.className), 'VGG16', 'VGG19', 'ResNet50', 'MobileNetV2', 'Model']);
    for (const layerKind of LAYER_CATALOG) {
      const variant = layerVariants.find((candidate) => ((candidate.if.properties as Schema).type as { enum: string[] }).enum[0] === layerKind.className);
      assert.ok(variant, layerKind.className);
      assert.deepEqual(Object.keys(variant.then.properties).sort(), ['type', ...Object.keys({ ...COMMON_OPTIONS, ...layerKind.options })].sort());
      for (const [name, option] of Object.entries(variant.then.properties)) assert.equal(typeof (option as Schema).description, 'string', `${layerKind.className}.${name}`);
    }
    const conv = layerVariants.find((candidate) => ((candidate.if.properties as Schema).type as { enum: string[] }).enum[0] === 'Conv2D');
    assert.deepEqual(proposed(conv?.then.properties.activation), [...ACTIVATIONS]);
    assert.deepEqual(proposed(conv?.then.properties.padding), ['valid', 'same']);
  });

  it('the typos the schema no longer reports are each reported once by CNN Lab, with a quick fix', () => {
    const text = '{\n  "inputShape": [28, 28, 1],\n  "layers": [\n    { "type": "Conv2D", "filters": 8, "kernelSize": 3, "padingg": "same", "activation": "rellu" },\n    { "type": "Flaten" }\n  ]\n}\n';
    const analysis = analyzeModel(text, 'typos.model.json');
    assert.deepEqual(
      analysis.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.fixes?.[0]?.edits[0].newText]),
      [['unknown-option', 'padding'], ['bad-option-value', '"relu"'], ['unknown-layer', 'Flatten']],
    );
  });

  it('schemas/model.schema.json is the generated schema', () => {
    const shipped: unknown = JSON.parse(readFileSync(join(__dirname, '..', '..', 'schemas', 'model.schema.json'), 'utf8'));
    assert.deepEqual(shipped, schema, 'regenerate it with: npx tsx test/model/write-schema.ts');
  });
});
