// Where an experiment's variants and queue stand (experiment.json's variant `status` and `state`),
// written once. Types and constants only, importing nothing: the experiment page's bundle
// (src/channels/experiment.ts) reads them too, and it cannot load the store (Node).

export const VARIANT_STATUSES = ['pending', 'running', 'completed', 'stopped', 'failed', 'invalid'] as const;
/** Where one variant stands. */
export type VariantStatus = (typeof VARIANT_STATUSES)[number];
export const EXPERIMENT_STATES = ['queued', 'running', 'stopped', 'done'] as const;
/** Where the sweep's queue stands. */
export type ExperimentState = (typeof EXPERIMENT_STATES)[number];
