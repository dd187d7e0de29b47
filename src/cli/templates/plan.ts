// What a template asks for, once read and resolved, before anything is sent to the server: the
// functions and layers to deploy and the notes on what lambkin does not do. SAM and Serverless
// files both turn into this; apply.ts carries it out.
import type { UrlCors } from '../../client/index.js';

/** Where the code comes from: a folder or zip on disk (with an optional filter), or inline text. */
export type CodeSource =
  | { readonly kind: 'path'; readonly path: string; readonly keep?: (rel: string) => boolean }
  | { readonly kind: 'inline'; readonly fileName: string; readonly text: string };

/** A layer a function uses: one this template defines, or an ARN. */
export type LayerUse = { readonly logicalId: string } | { readonly arn: string };

export interface FunctionPlan {
  readonly logicalId: string;
  readonly name: string;
  /** `file:line` of the resource, for messages. */
  readonly at: string;
  readonly runtime: string;
  /** `file:line` of the runtime setting (or of the resource when it comes from Globals / provider). */
  readonly runtimeAt: string;
  readonly handler: string;
  readonly code: CodeSource;
  readonly memory: number;
  readonly timeout: number;
  readonly description: string;
  readonly env: Readonly<Record<string, string>>;
  readonly ephemeralStorage: number;
  readonly layers: readonly LayerUse[];
  /** `file:line` of the layers setting, for the note when the server has no layers. */
  readonly layersAt: string;
  readonly alias?: string;
  readonly reservedConcurrency?: number;
  readonly provisionedConcurrency?: number;
  /** A function URL: from FunctionUrlConfig, or an Api/HttpApi/http/url event. */
  readonly url?: { readonly authType: 'NONE' | 'AWS_IAM'; readonly cors?: UrlCors };
}

export interface LayerPlan {
  readonly logicalId: string;
  readonly name: string;
  readonly at: string;
  readonly code: CodeSource;
  readonly description?: string;
  readonly runtimes?: readonly string[];
  readonly license?: string;
}

export interface Note {
  /** The resource (logical id) or section the note is about. */
  readonly subject: string;
  /** The field, event or variable; '' for the whole resource. */
  readonly field: string;
  readonly at: string;
  readonly note: string;
}

export interface Plan {
  readonly kind: 'SAM' | 'Serverless';
  readonly functions: readonly FunctionPlan[];
  readonly layers: readonly LayerPlan[];
  /** Unsupported resources and fields, fields with no effect here, events not run locally. */
  readonly notes: readonly Note[];
  /** Resources left out by a false Condition. */
  readonly skipped: readonly string[];
}

/** Collects notes, each (subject, field) once. */
export class Notes {
  readonly list: Note[] = [];
  private readonly seen = new Set<string>();

  add(subject: string, field: string, at: string, note: string): void {
    const key = `${subject}\u0000${field}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ subject, field, at, note });
  }
}

export const DEFAULT_MEMORY = 128;
export const DEFAULT_TIMEOUT = 3;
export const DEFAULT_EPHEMERAL = 512;
