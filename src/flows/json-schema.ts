/** The JSON Schema of flow files, generated from the zod schema (for editors; kept in git). */
import { z } from 'zod';
import { FlowFile } from './schema.ts';

export const JSON_SCHEMA_FILE = 'flow.schema.json';

/** The generated schema text, exactly as it is written to flows/flow.schema.json. */
export function flowJsonSchemaText(): string {
  const schema = z.toJSONSchema(FlowFile, { io: 'input', target: 'draft-2020-12' });
  return `${JSON.stringify({ ...schema, title: 'Tawasul flow file', $id: 'https://tawasul.invalid/flow.schema.json' }, null, 2)}\n`;
}
