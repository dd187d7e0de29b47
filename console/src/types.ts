// The shapes of the API answers the console reads (README: "Logs and investigation API", "Console").
// Those the server's investigation and environments APIs answer with are defined once, in
// src/wire.ts: the console imports their types only (test/unit/console-layering.test.ts).
import type { DeployView, EnvironmentView, ErrorGroupView, InvocationRecordView, LogEventView, PayloadView, TailLineView } from '../../src/wire.js';

export type { OverviewRow, Outcome, Percentiles, Point, Series, Totals, WindowName } from '../../src/wire.js';

export type { FunctionConfiguration, NodeInfo } from '../../src/wire.js';



export type Invocation = InvocationRecordView;

/** A line in a log list: a stored event (an invocation's lines) or a live tail line. */
export type LogLine = Pick<LogEventView & TailLineView, 'timestamp' | 'logStream' | 'envId' | 'requestId' | 'level' | 'message'> &
  Partial<Pick<LogEventView, 'eventId'>> & Partial<Pick<TailLineView, 'functionName'>>;

export type ErrorGroup = ErrorGroupView;

export type Environment = EnvironmentView;

export type Deploy = DeployView;

export type Payload = PayloadView;
