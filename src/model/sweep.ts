// Sweeps: a grid or random search over training keys and layer options, declared in a model file's
// `sweep` block or chosen from the palette. The types every part shares (the trainer applies a
// variant's values, the runs store records them, the panel shows them).

export type SweepValue = number | string | boolean;

/** The metric a sweep ranks its variants by, and whether higher is better. */
export interface SweepMetric {
  name: string;
  goal: 'max' | 'min';
}

export interface SweepSpec {
  method: 'grid' | 'random';
  /** Key: a training key in tfjs spelling (`learningRate`, `batchSize`…) or `<layerName>.<option>` (`dropout_1.rate`). */
  parameters: Record<string, SweepValue[]>;
  /** Random search: how many variants to draw. */
  trials?: number;
  metric: SweepMetric;
  /** Seed of the random search's draw. */
  seed?: number;
}

export interface SweepVariant {
  index: number;
  values: Record<string, SweepValue>;
}
