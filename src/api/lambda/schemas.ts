// Request bodies of the control-plane operations, as the botocore model of lambda/2015-03-31
// defines them (member names, types, min/max, patterns), plus two lambkin extensions. Objects are
// strict: a member the model does not have is refused, as Lambda's own JSON parser refuses it.
// Errors come out in Lambda's words: a body that is not JSON, or a member of the wrong type or
// unknown, is InvalidRequestContentException; a value outside its constraint is ValidationException
// ("N validation errors detected: Value 'x' at 'memorySize' failed to satisfy constraint: …").
import { z } from 'zod';
import { apiError } from '../../errors.js';
import { RUNTIME_IDS } from '../../runtimes/catalogue.js';

const NOT_JSON = 'Could not parse request body into json: ';

/** A string that must match `source` whole; the message shows `source` as Lambda does. */
function matching(source: string) {
  const re = new RegExp(`^(?:${source})$`);
  return z.string().refine((s) => re.test(s), {
    params: { constraint: `Member must satisfy regular expression pattern: ${source}` },
  });
}

const int = () => z.number().int();
const strings = () => z.array(z.string());
export const ROLE_PATTERN = 'arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+';

/** Members both CreateFunction and UpdateFunctionConfiguration take. */
const configMembers = {
  Role: matching(ROLE_PATTERN),
  Handler: z.string().max(128).pipe(matching('[^\\s]+')),
  Description: z.string().max(256),
  Timeout: int().min(1).max(900),
  MemorySize: int().min(128).max(32768), // the model's range; Lambda itself stops at 10240 (config-input.ts)
  Runtime: z.enum(RUNTIME_IDS as [string, ...string[]]),
  Environment: z.strictObject({ Variables: z.record(z.string(), z.string()).optional() }),
  EphemeralStorage: z.strictObject({ Size: int().min(512).max(10240) }),
  LoggingConfig: z.strictObject({
    LogFormat: z.enum(['JSON', 'Text']).optional(),
    // Levels apply to JSON logs; accepted so that templates setting them deploy, not enforced.
    ApplicationLogLevel: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']).optional(),
    SystemLogLevel: z.enum(['DEBUG', 'INFO', 'WARN']).optional(),
    LogGroup: z.string().min(1).max(512).pipe(matching('[\\.\\-_/#A-Za-z0-9]+')).optional(),
  }),
  // Known to Lambda, meaningless for a single-machine server: stored and returned as set, not acted on
  // (config-input.ts storedOnly, docs/compatibility.md).
  VpcConfig: z.strictObject({
    SubnetIds: strings().max(16).optional(),
    SecurityGroupIds: strings().max(5).optional(),
    Ipv6AllowedForDualStack: z.boolean().optional(),
  }),
  KMSKeyArn: z.string(),
  TracingConfig: z.strictObject({ Mode: z.enum(['Active', 'PassThrough']).optional() }),
  DeadLetterConfig: z.strictObject({ TargetArn: z.string().optional() }),
  SnapStart: z.strictObject({ ApplyOn: z.enum(['PublishedVersions', 'None']).optional() }),
  // Known to Lambda, refused by config-input.ts when they ask for something lambkin cannot do.
  Layers: strings(),
  FileSystemConfigs: z.array(z.unknown()),
  ImageConfig: z.strictObject({ EntryPoint: strings().optional(), Command: strings().optional(), WorkingDirectory: z.string().optional() }),
  CapacityProviderConfig: z.unknown(),
  DurableConfig: z.unknown(),
  // lambkin extensions: output capture off, sanitised errors on, single-use environments, events and responses recorded.
  LambkinLogging: z.boolean(),
  LambkinSanitizeErrors: z.boolean(),
  LambkinSingleUse: z.boolean(),
  LambkinRecordPayloads: z.boolean(),
  LambkinEgress: z.strictObject({ Mode: z.enum(['public', 'all', 'none']).optional(), Allow: z.array(z.string().max(64)).max(64).optional() }),
};

const optional = <T extends Record<string, z.ZodType>>(members: T) =>
  Object.fromEntries(Object.entries(members).map(([k, v]) => [k, v.optional()])) as { [K in keyof T]: z.ZodOptional<T[K]> };

const Architectures = z.array(z.enum(['x86_64', 'arm64'])).min(1).max(1);

/** Where a package comes from: CreateFunction's Code and UpdateFunctionCode take the same members. */
const codeSource = {
  ZipFile: z.string().optional(),
  S3Bucket: z.string().optional(),
  S3Key: z.string().optional(),
  S3ObjectVersion: z.string().optional(),
  S3ObjectStorageMode: z.string().optional(),
  ImageUri: z.string().optional(),
  SourceKMSKeyArn: z.string().optional(),
};

export const CreateFunctionRequest = z.strictObject({
  ...optional(configMembers),
  FunctionName: z.string().min(1).max(140),
  Code: z.strictObject(codeSource),
  Publish: z.boolean().optional(), // publish version 1 at once
  PublishTo: z.string().optional(),
  PackageType: z.enum(['Zip', 'Image']).optional(),
  Tags: z.record(z.string(), z.string()).optional(),
  CodeSigningConfigArn: z.string().optional(), // accepted, not enforced
  Architectures: Architectures.optional(),
  TenancyConfig: z.unknown().optional(),
});
export type CreateFunctionRequest = z.infer<typeof CreateFunctionRequest>;

export const UpdateFunctionConfigurationRequest = z.strictObject({
  ...optional(configMembers),
  RevisionId: z.string().optional(),
});
export type UpdateFunctionConfigurationRequest = z.infer<typeof UpdateFunctionConfigurationRequest>;

/** The members both config requests share, as config-input.ts reads them. */
export type ConfigMembers = Omit<UpdateFunctionConfigurationRequest, 'RevisionId'>;

export const UpdateFunctionCodeRequest = z.strictObject({
  ...codeSource,
  Architectures: Architectures.optional(),
  Publish: z.boolean().optional(),
  PublishTo: z.string().optional(),
  DryRun: z.boolean().optional(),
  RevisionId: z.string().optional(),
});
export type UpdateFunctionCodeRequest = z.infer<typeof UpdateFunctionCodeRequest>;

/** Parse and validate a JSON body; throws in Lambda's form. An empty body reads as `{}`. */
export function parseBody<T>(schema: z.ZodType<T>, body: Buffer): T {
  let value: unknown = {};
  if (body.length > 0) {
    try {
      // JSON null means "absent", as Lambda's parser reads it.
      value = JSON.parse(body.toString('utf8'), (_key, v: unknown) => (v === null ? undefined : v));
    } catch (err) {
      throw apiError('InvalidRequestContentException', `${NOT_JSON}Could not parse payload into json: ${(err as Error).message}`);
    }
  }
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  return raise(result.error.issues);
}

/** Lambda's path of a member: `ephemeralStorage.size`. */
function memberPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'string' ? p.charAt(0).toLowerCase() + p.slice(1) : String(p))).join('.');
}

function shown(input: unknown): string {
  if (input === undefined) return 'null';
  if (Array.isArray(input)) return `'[${input.join(', ')}]'`;
  return `'${typeof input === 'object' ? JSON.stringify(input) : String(input)}'`;
}

function raise(issues: readonly z.core.$ZodIssue[]): never {
  const structural = issues.find(
    (i) => i.code === 'unrecognized_keys' || (i.code === 'invalid_type' && i.input !== undefined) || i.code === 'invalid_union',
  );
  if (structural) {
    const where = structural.path.length > 0 ? ` in '${structural.path.join('.')}'` : '';
    const detail =
      structural.code === 'unrecognized_keys'
        ? `Unrecognized field "${structural.keys[0]}"${where}, not marked as ignorable`
        : `Cannot deserialize '${structural.path.join('.')}': expected ${'expected' in structural ? structural.expected : 'another type'}`;
    throw apiError('InvalidRequestContentException', NOT_JSON + detail);
  }
  const messages = issues.map((i) => `Value ${shown(i.input)} at '${memberPath(i.path)}' failed to satisfy constraint: ${constraint(i)}`);
  const count = messages.length === 1 ? '1 validation error' : `${messages.length} validation errors`;
  throw apiError('ValidationException', `${count} detected: ${messages.join('; ')}`);
}

function constraint(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return 'Member must not be null';
    case 'too_small':
    case 'too_big': {
      const what = issue.origin === 'number' || issue.origin === 'int' ? 'value' : 'length';
      const bound = issue.code === 'too_small' ? `greater than or equal to ${issue.minimum}` : `less than or equal to ${issue.maximum}`;
      return `Member must have ${what} ${bound}`;
    }
    case 'invalid_value':
      return `Member must satisfy enum value set: [${issue.values.join(', ')}]`;
    case 'custom':
      return String(issue.params?.constraint ?? issue.message);
    default:
      return issue.message;
  }
}
