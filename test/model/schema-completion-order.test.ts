// Completion proposes a layer's required and common options first, with their Keras names (issue 10,
// item 19). VS Code's JSON service orders proposals by `suggestSortText`, else by label.
import { strict as assert } from 'node:assert';
import { buildModelSchema } from '../../src/model/schema';

type Props = Record<string, { suggestSortText?: string; completionDetail?: string; description?: string }>;

function completionOrder(className: string): string[] {
  const variants = ((buildModelSchema().properties as Record<string, { items: { allOf: { if: { properties: { type: { enum: string[] } } }; then: { properties: Props } }[] } }>).layers.items.allOf);
  const variant = variants.find((candidate) => candidate.if.properties.type.enum[0] === className);
  assert.ok(variant, className);
  const properties = variant.then.properties;
  for (const [name, schema] of Object.entries(properties)) assert.equal(typeof schema.suggestSortText, 'string', `${className}.${name} has a sort key`);
  return Object.keys(properties).sort((a, b) => (properties[a].suggestSortText! < properties[b].suggestSortText! ? -1 : 1));
}

function option(className: string, name: string) {
  const variants = ((buildModelSchema().properties as Record<string, { items: { allOf: { if: { properties: { type: { enum: string[] } } }; then: { properties: Props } }[] } }>).layers.items.allOf);
  return variants.find((candidate) => candidate.if.properties.type.enum[0] === className)!.then.properties[name];
}

describe('schema completion order', () => {
  it('Conv2D proposes filters, kernelSize, activation, padding, strides first', () => {
    assert.deepEqual(completionOrder('Conv2D').slice(0, 6), ['type', 'filters', 'kernelSize', 'activation', 'padding', 'strides']);
  });

  it('Dense proposes units then activation; Dropout rate; pooling poolSize, strides, padding', () => {
    assert.deepEqual(completionOrder('Dense').slice(1, 3), ['units', 'activation']);
    assert.deepEqual(completionOrder('Dropout').slice(1, 2), ['rate']);
    assert.deepEqual(completionOrder('MaxPooling2D').slice(1, 4), ['poolSize', 'strides', 'padding']);
    assert.deepEqual(completionOrder('AveragePooling2D').slice(1, 4), ['poolSize', 'strides', 'padding']);
  });

  it('the rest follow alphabetically after inputShape and name', () => {
    const order = completionOrder('Conv2D');
    const rest = order.slice(order.indexOf('name') + 1);
    assert.deepEqual(order.slice(6, 8), ['inputShape', 'name']);
    assert.deepEqual(rest, [...rest].sort());
  });

  it('options show their Keras name in the detail and the description', () => {
    assert.equal(option('Conv2D', 'kernelSize').completionDetail, 'Keras: kernel_size');
    assert.match(option('Conv2D', 'kernelSize').description ?? '', /Keras: kernel_size\.$/);
    assert.equal(option('Dense', 'useBias').completionDetail, 'Keras: use_bias');
    assert.equal(option('Dense', 'inputs').completionDetail, undefined, 'inputs is CNN Lab wiring, not a Keras argument');
  });
});
