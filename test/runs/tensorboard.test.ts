import { strict as assert } from 'node:assert';
import { crc32c, encodeScalarEvent, eventsFile, maskedCrc32c, tensorBoardLogs, tfRecord, wallTimeSeconds } from '../../src/runs/tensorboard';
import type { MetricsLine } from '../../src/runs/format';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('CRC-32C', () => {
  it('matches the standard check value and the RFC 3720 vectors', () => {
    assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
  });

  it('masks as TFRecord does: rotate right by 15, add 0xa282ead8', () => {
    // 0xe3069283 rotated right by 15 = 0x25078c0d; + 0xa282ead8 = 0xc78ab0e5 (mod 2^32).
    assert.equal(maskedCrc32c(new TextEncoder().encode('123456789')), 0xc78ab0e5);
  });
});

describe('TFRecord and Event encoding', () => {
  it('frames a 24-byte record with the header every TensorFlow events file starts with', () => {
    // Length 24 (the file-version event) and its masked CRC: 18 00 00 00 00 00 00 00 a3 7f 4b 22.
    const record = tfRecord(new Uint8Array(24));
    assert.equal(hex(record.subarray(0, 12)), '1800000000000000a37f4b22');
    assert.equal(record.length, 8 + 4 + 24 + 4);
    const view = new DataView(record.buffer);
    assert.equal(view.getUint32(36, true), maskedCrc32c(new Uint8Array(24)));
  });

  it('encodes Event{wall_time, step, summary{value{tag, simple_value}}} byte for byte', () => {
    const bytes = encodeScalarEvent({ wallTime: 1.5, step: 300, values: [{ tag: 'loss', value: 0.5 }] });
    const expected =
      '09' + '000000000000f83f' + // field 1 (double) 1.5
      '10' + 'ac02' + //              field 2 (varint) 300 = 0b10_0101100 → ac 02
      '2a' + '0d' + //                field 5 (bytes) summary, 13 bytes
      '0a' + '0b' + //                  summary field 1 (bytes) value, 11 bytes
      '0a' + '04' + '6c6f7373' + //       value field 1 (string) "loss"
      '15' + '0000003f'; //               value field 2 (float) 0.5
    assert.equal(hex(bytes), expected);
  });

  it('starts an events file with the brain.Event:2 version record', () => {
    const file = eventsFile(2, []);
    const text = Buffer.from(file).toString('latin1');
    assert.ok(text.includes('brain.Event:2'));
    assert.equal(file.length, 12 + 24 + 4);
  });

  it('splits metrics into Keras-style train and validation runs', () => {
    const metrics: MetricsLine[] = [
      { kind: 'batch', epoch: 0, batch: 0, step: 0, logs: { loss: 2 }, time: 1_700_000_000_000 },
      { kind: 'epoch', epoch: 0, logs: { loss: 1.5, acc: 0.5, val_loss: 1.7, val_acc: 0.4 }, time: 1_700_000_001_000 },
    ];
    const logs = tensorBoardLogs(metrics, 1_700_000_000);
    const train = Buffer.from(logs.train).toString('latin1');
    const validation = Buffer.from(logs.validation).toString('latin1');
    assert.ok(train.includes('batch_loss') && train.includes('epoch_loss') && train.includes('epoch_acc'));
    assert.ok(!train.includes('val_'));
    assert.ok(validation.includes('epoch_loss') && validation.includes('epoch_acc'));
    assert.ok(!validation.includes('batch_'));
  });

  it('reads metrics times in ms, s, or seconds since the start', () => {
    assert.equal(wallTimeSeconds(1_700_000_000_500, 0), 1_700_000_000.5);
    assert.equal(wallTimeSeconds(1_700_000_000, 0), 1_700_000_000);
    assert.equal(wallTimeSeconds(12.5, 1_700_000_000), 1_700_000_012.5);
  });
});
