// The order tfjs (like Keras) lists a functional model's layers in: `model.layers`, and so the rows
// of `model.summary()`. tfjs-layers' Container constructor walks the graph depth-first from the
// outputs, gives every layer a depth (the longest path from it to an output), and lists the layers
// deepest first; layers of equal depth keep the order the walk first reached them in. Writing the
// same code in another order gives the same model, so the rows must not follow the source.

/**
 * The layers reachable from `outputs`, in tfjs's order. Each layer has one node here: CNN Lab does
 * not follow shared layers. The walk keeps its own stack, so a very long chain cannot overflow.
 */
export function tfjsLayerOrder<T>(outputs: readonly T[], inbound: (layer: T) => readonly T[]): T[] {
  const reachedAt = new Map<T, number>();
  const finished: T[] = [];
  for (const output of outputs) {
    if (reachedAt.has(output)) continue;
    reachedAt.set(output, reachedAt.size);
    const stack = [{ layer: output, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const sources = inbound(top.layer);
      if (top.next < sources.length) {
        const source = sources[top.next];
        top.next += 1;
        if (reachedAt.has(source)) continue;
        reachedAt.set(source, reachedAt.size);
        stack.push({ layer: source, next: 0 });
      } else {
        stack.pop();
        finished.push(top.layer);
      }
    }
  }
  // Reversed, the finishing order has every layer before the layers feeding it, so each layer's
  // depth is final when it is passed on to its inputs.
  const depth = new Map<T, number>();
  for (const layer of finished.reverse()) {
    const own = depth.get(layer) ?? 0;
    depth.set(layer, own);
    for (const source of inbound(layer)) depth.set(source, Math.max(depth.get(source) ?? 0, own + 1));
  }
  const depthOf = (layer: T): number => depth.get(layer) ?? 0;
  const reached = (layer: T): number => reachedAt.get(layer) ?? 0;
  return [...reachedAt.keys()].sort((a, b) => depthOf(b) - depthOf(a) || reached(a) - reached(b));
}
