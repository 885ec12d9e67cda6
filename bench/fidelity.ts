// `npm run bench:fidelity`: do the seeds come out the same through CNN Lab?
//  1. Parameters: every seed model's total from our summary (`cnnlab summary --json`) next to
//     Keras's own `model.summary()` total.
//  2. Accuracy: trains the seed-003 CNN on the real Fashion-MNIST (Debian's dataset-fashion-mnist)
//     with the seed's settings (10 epochs, rmsprop, batch 64, validation split 0.3) through the
//     project's trainer (`cnnlab train`, the same code the extension runs), and prints its test
//     accuracy next to the seed's 0.8929.
//
// Flags for CPU-only machines (the pure-JS backend is slow): --epochs N, --train-examples N,
// --test-examples N, --backend auto|tensorflow|webgpu|wasm|cpu, --params-only. It prints the README's table (Markdown);
// results are also written to .test-artifacts/bench/fidelity.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RunRecord } from '../src/runs/format';

const repoRoot = resolve(__dirname, '..');
const cli = join(repoRoot, 'dist', 'cli.js');

interface SeedFacts {
  sample: string;
  /** Keras's total params (shared/reference/seed-summaries.json, from the seeds' own summaries). */
  kerasParams: number;
  /** What the seed reports, in its own words (metric and split), or why there is nothing. */
  reported: string;
}

/** The seeds' models and what each tutorial reports (read from shared/seeds/*.txt). */
const seeds: SeedFacts[] = [
  { sample: 'seed000-vgg-like-cars-bikes-planes', kerasParams: 7_995_875, reported: 'train acc 1.000 after 200 epochs on 15 own photos; 3/3 test photos right' },
  { sample: 'seed001-exp1-dense', kerasParams: 30_840, reported: 'val_acc 0.1000 (CIFAR-10, 20 epochs)' },
  { sample: 'seed001-exp2-dense', kerasParams: 110_058, reported: 'val_acc 0.4491 (CIFAR-10, 40 epochs)' },
  { sample: 'seed001-exp3-cnn', kerasParams: 265_834, reported: 'val_acc 0.5661 (CIFAR-10, 10 epochs)' },
  { sample: 'seed001-exp4-cnn', kerasParams: 122_570, reported: 'val_acc 0.7195 (CIFAR-10, 20 epochs)' },
  { sample: 'seed001-proposed-cnn-dropout', kerasParams: 196_426, reported: 'val_acc 0.7557 (CIFAR-10, 10 epochs)' },
  { sample: 'seed002-mnist-conv-dense', kerasParams: 433_290, reported: 'none printed (exercise target: 99 % test on MNIST)' },
  { sample: 'seed002-mnist-conv-tanh', kerasParams: 649_775, reported: 'none printed' },
  { sample: 'seed002-mnist-conv-pool', kerasParams: 163_055, reported: 'none printed' },
  { sample: 'seed003-fashion-mnist-cnn', kerasParams: 412_778, reported: 'test acc 0.8929 (Fashion-MNIST, 10 epochs)' },
  { sample: 'seed004-mnist-mlp-bn-selu', kerasParams: 182_446, reported: 'test acc 0.9729 (MNIST, 6 epochs, early stopping)' },
];

const seed003TestAccuracy = 0.8929;

interface Options {
  epochs: number;
  trainExamples?: number;
  testExamples?: number;
  backend: string;
  paramsOnly: boolean;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { epochs: 10, backend: 'auto', paramsOnly: false };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index];
    const value = (): string => {
      const next = argv[++index];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--epochs':
        options.epochs = Number(value());
        break;
      case '--train-examples':
        options.trainExamples = Number(value());
        break;
      case '--test-examples':
        options.testExamples = Number(value());
        break;
      case '--backend':
        options.backend = value();
        break;
      case '--params-only':
        options.paramsOnly = true;
        break;
      default:
        throw new Error(`unknown flag ${flag}`);
    }
  }
  return options;
}

function ourTotalParams(sample: string): number | string {
  const file = join(repoRoot, 'samples', `${sample}.model.json`);
  if (!existsSync(file)) return 'no sample';
  const result = spawnSync(process.execPath, [cli, 'summary', file, '--json'], { encoding: 'utf8' });
  if (result.status !== 0) return `error: ${result.stderr.trim().split('\n')[0]}`;
  return (JSON.parse(result.stdout) as { totalParams: number }).totalParams;
}

interface Measured {
  testAccuracy: number;
  epochs: number;
  trainExamples: string;
  backend: string;
  seconds: number;
}

function trainSeed003(options: Options): Measured {
  const workDir = mkdtempSync(join(tmpdir(), 'cnnlab-fidelity-'));
  const args = [cli, 'train', join(repoRoot, 'samples', 'seed003-fashion-mnist-cnn.model.json'), '--epochs', String(options.epochs), '--backend', options.backend];
  if (options.trainExamples !== undefined) args.push('--train-examples', String(options.trainExamples));
  if (options.testExamples !== undefined) args.push('--test-examples', String(options.testExamples));
  const started = Date.now();
  const result = spawnSync(process.execPath, args, {
    cwd: workDir,
    stdio: 'inherit',
    env: { ...process.env, CNNLAB_DATA_DIR: process.env.CNNLAB_DATA_DIR ?? '/usr/share/datasets' },
  });
  const seconds = (Date.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`cnnlab train exited with ${result.status}`);
  // The run on disk is the result: the same run.json the extension's sidebar reads.
  const runsDir = join(workDir, '.cnnlab', 'runs');
  const [runId] = readdirSync(runsDir);
  const record = JSON.parse(readFileSync(join(runsDir, runId, 'run.json'), 'utf8')) as RunRecord;
  if (record.status !== 'completed' || !record.evaluation) throw new Error(`run ${runId} ended ${record.status} without a test evaluation`);
  return {
    testAccuracy: record.evaluation.accuracy,
    epochs: record.epochsCompleted,
    trainExamples: options.trainExamples === undefined ? 'all 60,000 (70 % train / 30 % validation)' : `first ${options.trainExamples}`,
    backend: record.backend ? `${record.backend.name} (${record.backend.device})` : 'unknown',
    seconds,
  };
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  const params = seeds.map((seed) => ({ ...seed, ours: ourTotalParams(seed.sample) }));
  let measured: Measured | undefined;
  if (!options.paramsOnly) {
    measured = trainSeed003(options);
    const delta = measured.testAccuracy - seed003TestAccuracy;
    console.log(
      `\nseed 003 (Fashion-MNIST CNN): test accuracy ${measured.testAccuracy.toFixed(4)} — seed ${seed003TestAccuracy.toFixed(4)} ` +
        `(${delta >= 0 ? '+' : ''}${delta.toFixed(4)}); ${measured.epochs} epochs, ${measured.trainExamples}, ${measured.backend}, ${measured.seconds.toFixed(0)} s`,
    );
  }

  console.log('\n| Model | Keras total params | Ours | Seed reports | Ours measured | Backend, epochs |');
  console.log('|---|---:|---:|---|---|---|');
  let mismatches = 0;
  for (const row of params) {
    const same = row.ours === row.kerasParams;
    if (!same) mismatches += 1;
    const oursText = typeof row.ours === 'number' ? `${row.ours.toLocaleString('en-US')}${same ? '' : ' ✗'}` : row.ours;
    const isSeed003 = row.sample === 'seed003-fashion-mnist-cnn';
    const measuredText = isSeed003 && measured ? `test acc ${measured.testAccuracy.toFixed(4)}` : 'not measured';
    const backendText = isSeed003 && measured ? `${measured.backend}, ${measured.epochs} epochs, ${measured.trainExamples}` : '—';
    console.log(`| ${row.sample} | ${row.kerasParams.toLocaleString('en-US')} | ${oursText} | ${row.reported} | ${measuredText} | ${backendText} |`);
  }

  const outDir = join(repoRoot, '.test-artifacts', 'bench');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'fidelity.json'), JSON.stringify({ options, params, measured, seed003TestAccuracy }, null, 2));
  if (mismatches > 0) {
    console.error(`\n${mismatches} model(s) differ from Keras's parameter count.`);
    process.exitCode = 1;
  }
}

main();
