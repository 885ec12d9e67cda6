// Lists the entries of a .vsix (a zip) from its central directory, so the test needs no `unzip`.
import { readFileSync } from 'node:fs';

const endOfCentralDirectorySignature = 0x06054b50;
const centralDirectoryEntrySignature = 0x02014b50;

export function listZipEntries(file: string): string[] {
  const zip = readFileSync(file);
  // The end record sits in the last 22 bytes plus an optional comment of up to 64 KiB.
  let end = -1;
  for (let offset = zip.length - 22; offset >= Math.max(0, zip.length - 22 - 0xffff); offset--) {
    if (zip.readUInt32LE(offset) === endOfCentralDirectorySignature) {
      end = offset;
      break;
    }
  }
  if (end < 0) throw new Error(`${file} is not a zip file`);
  const entryCount = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let index = 0; index < entryCount; index++) {
    if (zip.readUInt32LE(offset) !== centralDirectoryEntrySignature) throw new Error(`${file}: corrupt central directory`);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    names.push(zip.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}
