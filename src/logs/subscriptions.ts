// Subscription filters: a log group's standing orders to send its matching events somewhere (in
// lambkin, to a Lambda function, as CloudWatch Logs' subscription messages). The store keeps the
// definitions with their group (deleted with it); api/logs/subscription-delivery.ts delivers.

/** Filters per log group at most (as CloudWatch Logs). */
export const MAX_SUBSCRIPTION_FILTERS = 2;

export interface SubscriptionFilter {
  readonly group: string;
  readonly name: string;
  /** A filter pattern (filter-pattern.ts); '' matches every event. */
  readonly pattern: string;
  /** arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>] */
  readonly destinationArn: string;
  /** Epoch ms of the first put of this name (a put that replaces it keeps it). */
  readonly createdAt: number;
}

export type PutSubscriptionResult = 'created' | 'replaced' | 'GroupNotFound' | 'LimitExceeded';
