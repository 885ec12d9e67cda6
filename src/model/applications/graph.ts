// A small functional-graph builder for the keras.applications architectures: each call adds one
// layer (Keras class name, Keras name, tf.layers options) fed by the layers named, and `model`
// returns the IR with its layers in the order Keras's Functional lists them (model.layers, which
// `summary()` prints): by depth from the output, deepest first, ties in the order a depth-first walk
// from the output first meets them (keras/src/ops/function.py, map_graph). A residual block's
// shortcut convolution therefore comes after the main branch's first layers, as Keras prints it.

import type { Dim, LayerSpec, ModelIR } from '../types';

export class GraphBuilder {
  private readonly layers: LayerSpec[] = [];
  private readonly byName = new Map<string, LayerSpec>();

  /** The model input: Keras's `layers.Input(shape)`, named `input_layer` as a fresh Keras 3 session names it. */
  input(shape: Dim[], name = 'input_layer'): string {
    return this.add('InputLayer', name, { batchInputShape: [null, ...shape] }, []);
  }

  /** Adds a layer fed by `inbound` (one name or several, in call order); returns its name. */
  add(className: string, name: string, config: Record<string, unknown>, inbound: string | string[]): string {
    if (this.byName.has(name)) throw new Error(`GraphBuilder: the name "${name}" is used twice.`);
    const layer: LayerSpec = { name, className, config: { ...config, name }, inbound: typeof inbound === 'string' ? [inbound] : [...inbound] };
    this.layers.push(layer);
    this.byName.set(name, layer);
    return name;
  }

  /** The model ending at `output`, its layers in Keras's order. */
  model(name: string, output: string): ModelIR {
    const layers = kerasOrder(this.layers, this.byName, output);
    return {
      name,
      format: 'json',
      topology: 'functional',
      layers,
      inputs: layers.filter((layer) => layer.className === 'InputLayer').map((layer) => layer.name),
      outputs: [output],
    };
  }
}

/** Keras's map_graph order (see the file comment); every layer here has one node. */
function kerasOrder(layers: LayerSpec[], byName: Map<string, LayerSpec>, output: string): LayerSpec[] {
  const index = new Map<string, number>();
  const finished = new Set<string>();
  const postOrder: string[] = [];
  // Depth-first from the output, each layer's inputs in call order; a layer is numbered when first met.
  const stack: { name: string; next: number }[] = [{ name: output, next: 0 }];
  index.set(output, 0);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const inbound = byName.get(top.name)?.inbound ?? [];
    if (top.next < inbound.length) {
      const parent = inbound[top.next++];
      if (finished.has(parent)) continue;
      if (!index.has(parent)) index.set(parent, index.size);
      stack.push({ name: parent, next: 0 });
      continue;
    }
    stack.pop();
    if (!finished.has(top.name)) {
      finished.add(top.name);
      postOrder.push(top.name);
    }
  }
  const depth = new Map<string, number>();
  for (const name of [...postOrder].reverse()) {
    const own = depth.get(name) ?? 0;
    depth.set(name, own);
    for (const parent of byName.get(name)?.inbound ?? []) depth.set(parent, Math.max(own + 1, depth.get(parent) ?? 0));
  }
  const reached = layers.filter((layer) => depth.has(layer.name));
  return reached.sort((a, b) => (depth.get(b.name) ?? 0) - (depth.get(a.name) ?? 0) || (index.get(a.name) ?? 0) - (index.get(b.name) ?? 0));
}
