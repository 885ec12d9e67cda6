// Model core timings: summary of a generated 200-layer model (target < 5 ms median) and
// parse + summary of the largest sample, as medians over many repetitions.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { analyzeModel, summarizeModel } from '../src/model/index';
import type { LayerSpec, ModelIR } from '../src/model/types';

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(repetitions: number, work: () => void): number {
  for (let warmup = 0; warmup < Math.min(20, repetitions); warmup += 1) work();
  const samples: number[] = [];
  for (let repetition = 0; repetition < repetitions; repetition += 1) {
    const start = performance.now();
    work();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

/** Conv/BatchNorm/ReLU blocks with 'same' padding, so 200 layers stay valid on a 64×64 input. */
function generatedModel(layerCount: number): ModelIR {
  const pattern: [string, Record<string, unknown>][] = [
    ['Conv2D', { filters: 32, kernelSize: 3, padding: 'same' }],
    ['BatchNormalization', {}],
    ['ReLU', {}],
    ['Dropout', { rate: 0.1 }],
  ];
  const layers: LayerSpec[] = [];
  for (let index = 0; index < layerCount - 2; index += 1) {
    const [className, config] = pattern[index % pattern.length];
    layers.push({ name: `layer_${index}`, className, config: index === 0 ? { ...config, inputShape: [64, 64, 3] } : { ...config }, inbound: index === 0 ? [] : [`layer_${index - 1}`] });
  }
  layers.push({ name: 'pool', className: 'GlobalAveragePooling2D', config: {}, inbound: [layers[layers.length - 1].name] });
  layers.push({ name: 'classifier', className: 'Dense', config: { units: 10, activation: 'softmax' }, inbound: ['pool'] });
  return { name: 'generated', format: 'json', topology: 'sequential', layers, inputs: ['layer_0'], outputs: ['classifier'] };
}

const ir = generatedModel(200);
const check = summarizeModel(ir);
if (check.layers.length !== 200 || check.diagnostics.length > 0) throw new Error(`generated model is not valid: ${JSON.stringify(check.diagnostics)}`);
const summaryRepetitions = 500;
console.log(`summarizeModel, generated 200-layer model: median ${time(summaryRepetitions, () => summarizeModel(ir)).toFixed(3)} ms over ${summaryRepetitions} repetitions (target < 5 ms)`);

const samplesDirectory = join(__dirname, '..', 'samples');
const sampleFiles = [...readdirSync(samplesDirectory).map((file) => join(samplesDirectory, file)), ...readdirSync(join(samplesDirectory, 'keras')).map((file) => join(samplesDirectory, 'keras', file))]
  .filter((file) => /\.(model\.json|model\.ts|json)$/.test(file));
for (const extension of ['.json', '.model.ts']) {
  const candidates = sampleFiles.filter((file) => file.endsWith(extension));
  const largest = candidates.reduce((best, file) => (statSync(file).size > statSync(best).size ? file : best));
  const text = readFileSync(largest, 'utf8');
  const repetitions = 200;
  const milliseconds = time(repetitions, () => analyzeModel(text, largest));
  console.log(`analyzeModel (parse + summary), largest ${extension} sample ${largest.slice(samplesDirectory.length + 1)} (${text.length} bytes): median ${milliseconds.toFixed(3)} ms over ${repetitions} repetitions`);
}
