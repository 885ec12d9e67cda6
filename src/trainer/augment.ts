// On-the-fly augmentation like Keras's ImageDataGenerator (seed 003): every training batch gets
// a fresh random flip, rotation, shift and zoom per image, in one affine warp (tf.image.transform),
// with the edge pixels repeated into the uncovered border (Keras's default fill_mode 'nearest').
import * as tf from '@tensorflow/tfjs';
import type { TrainingConfig } from '../model/types';

export type AugmentationConfig = NonNullable<TrainingConfig['augmentation']>;

export function augmentationEnabled(config: AugmentationConfig | undefined): config is AugmentationConfig {
  return Boolean(config && (config.horizontalFlip || config.rotationRange || config.widthShiftRange || config.heightShiftRange || config.zoomRange));
}

/** Warps a [batch, height, width, channels] batch; `random` gives the per-image draws. */
export function augmentBatch(images: tf.Tensor4D, config: AugmentationConfig, random: () => number): tf.Tensor4D {
  const [batch, height, width] = images.shape;
  const centreX = (width - 1) / 2;
  const centreY = (height - 1) / 2;
  const between = (low: number, high: number): number => low + (high - low) * random();
  // Shift ranges below 1 are fractions of the size, as in Keras; 1 and above are pixels.
  const pixels = (range: number, size: number): number => (range < 1 ? range * size : range);
  const transforms: number[] = [];
  for (let index = 0; index < batch; index++) {
    const angle = ((config.rotationRange ? between(-config.rotationRange, config.rotationRange) : 0) * Math.PI) / 180;
    const zoom = config.zoomRange ? between(1 - config.zoomRange, 1 + config.zoomRange) : 1;
    const flip = config.horizontalFlip && random() < 0.5 ? -1 : 1;
    const shiftX = config.widthShiftRange ? between(-1, 1) * pixels(config.widthShiftRange, width) : 0;
    const shiftY = config.heightShiftRange ? between(-1, 1) * pixels(config.heightShiftRange, height) : 0;
    // Output pixel p reads input q = A (p − c) + c − shift, with A = zoom · rotation · flip.
    const a00 = zoom * Math.cos(angle) * flip;
    const a01 = -zoom * Math.sin(angle);
    const a10 = zoom * Math.sin(angle) * flip;
    const a11 = zoom * Math.cos(angle);
    transforms.push(a00, a01, centreX - a00 * centreX - a01 * centreY - shiftX, a10, a11, centreY - a10 * centreX - a11 * centreY - shiftY, 0, 0);
  }
  return tf.tidy(() => tf.image.transform(images, tf.tensor2d(transforms, [batch, 8]), 'bilinear', 'nearest'));
}
