// A stored function as Lambda answers it: the FunctionConfiguration shape of the botocore model
// (field names as @aws-sdk/client-lambda reads them).
import type { Arns } from '../../registry/arn.js';
import type { FunctionRecord } from '../../registry/types.js';
import type { FunctionConfiguration } from '../../wire.js';
import { egressOutput } from './egress-input.js';

/** lambkin runs code on the machine it runs on, so that is the architecture it reports. */
export const HOST_ARCHITECTURE: 'x86_64' | 'arm64' = process.arch === 'arm64' ? 'arm64' : 'x86_64';

// The shape is shared with the web console (src/wire.ts), which reads it.
export type { FunctionConfiguration } from '../../wire.js';

export function toFunctionConfiguration(arns: Arns, record: FunctionRecord): FunctionConfiguration {
  const c = record.config;
  const variables = Object.keys(c.environment).length > 0;
  const stored = c.stored ?? {};
  return {
    FunctionName: c.name,
    // A published version's ARN carries its number, as on Lambda.
    FunctionArn: arns.functionArn(c.name, record.version === '$LATEST' ? undefined : record.version),
    Runtime: c.runtime,
    Role: c.role,
    Handler: c.handler,
    CodeSize: record.codeSize,
    Description: c.description,
    Timeout: c.timeout,
    MemorySize: c.memorySize,
    LastModified: record.lastModified,
    CodeSha256: Buffer.from(record.codeSha256, 'hex').toString('base64'),
    Version: record.version,
    // Lambda leaves Environment out when a function has no variables.
    ...(variables ? { Environment: { Variables: { ...c.environment } } } : {}),
    // Stored and returned as set, not acted on (docs/compatibility.md).
    TracingConfig: { Mode: stored.tracingMode ?? 'PassThrough' },
    ...(stored.kmsKeyArn ? { KMSKeyArn: stored.kmsKeyArn } : {}),
    ...(stored.vpc ? {
      VpcConfig: {
        SubnetIds: [...stored.vpc.subnetIds], SecurityGroupIds: [...stored.vpc.securityGroupIds], VpcId: '',
        Ipv6AllowedForDualStack: stored.vpc.ipv6AllowedForDualStack,
      },
    } : {}),
    ...(stored.deadLetterTargetArn ? { DeadLetterConfig: { TargetArn: stored.deadLetterTargetArn } } : {}),
    RevisionId: record.revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: [HOST_ARCHITECTURE],
    EphemeralStorage: { Size: c.ephemeralStorage },
    SnapStart: { ApplyOn: stored.snapStartApplyOn ?? 'None', OptimizationStatus: 'Off' },
    LoggingConfig:
      c.loggingConfig.logFormat === 'JSON'
        ? { LogFormat: 'JSON', LogGroup: c.loggingConfig.logGroup, ApplicationLogLevel: stored.applicationLogLevel ?? 'INFO', SystemLogLevel: stored.systemLogLevel ?? 'INFO' }
        : { LogFormat: 'Text', LogGroup: c.loggingConfig.logGroup },
    ...(c.loggingConfig.enabled ? {} : { LambkinLogging: false as const }),
    ...(c.sanitizeErrors ? { LambkinSanitizeErrors: true as const } : {}),
    ...(c.singleUse ? { LambkinSingleUse: true as const } : {}),
    ...(c.recordPayloads ? { LambkinRecordPayloads: true as const } : {}),
    ...egressOutput(c.egress),
    ...(c.layers && c.layers.length > 0 ? { Layers: c.layers.map((l) => ({ Arn: l.arn, CodeSize: l.codeSize })) } : {}),
  };
}
