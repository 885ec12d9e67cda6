// Regenerates schemas/model.schema.json from LAYER_CATALOG: `npx tsx test/model/write-schema.ts`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModelSchema } from '../../src/model/schema';

writeFileSync(join(__dirname, '..', '..', 'schemas', 'model.schema.json'), `${JSON.stringify(buildModelSchema(), null, 2)}\n`);
