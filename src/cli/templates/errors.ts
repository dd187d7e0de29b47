// A mistake in a template: its message starts with `file:line:` and says what to change.
// It is a UsageError, so the CLI prints it as one line and exits 2.
import { UsageError } from '../output.js';

export class TemplateError extends UsageError {}
