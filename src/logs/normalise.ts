// Error messages reduced to their shape, so that `Order 1234 not found` and `Order 98 not found`
// count as one error: ids, times, hex and numbers become placeholders.

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const ISO_TIME = /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g;
const HEX_PREFIXED = /\b0x[0-9a-f]+\b/gi;
const HEX_ID = /\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi;
const NUMBER = /\d+(?:\.\d+)?/g;
const MAX_KEY = 512;

export function errorKey(message: string | undefined): string | undefined {
  if (message === undefined) return undefined;
  return message
    .slice(0, 4 * MAX_KEY)
    .replace(UUID, '<uuid>')
    .replace(ISO_TIME, '<time>')
    .replace(HEX_PREFIXED, '<hex>')
    .replace(HEX_ID, '<hex>')
    .replace(NUMBER, '<n>')
    .slice(0, MAX_KEY);
}
