/**
 * Log lines as they happen, for the services that serve them back (the CloudWatch Logs
 * endpoint): each line with its log group and stream, its time and, for a function's line,
 * the function and the invocation. Functions publish their output here (the console gets
 * the same lines through the runtime's log); the API publishes its access log lines. The
 * bus keeps nothing itself.
 */
export interface LogLine {
  /** The CloudWatch Logs group it belongs to (`/aws/lambda/<FunctionName>`, the API's access log group). */
  logGroup: string;
  /** The stream (a function process's AWS_LAMBDA_LOG_STREAM_NAME). */
  logStream: string;
  /** Epoch milliseconds when the line was read. */
  timestamp: number;
  message: string;
  /** The function's logical id, for a function's line. */
  functionId?: string;
  /** The invocation the process was serving, if any (init-phase lines have none). */
  requestId?: string;
}

/** A function's line (the name the Lambda module and its tests use). */
export type FunctionLogLine = LogLine & { functionId: string };

export type LogListener = (line: LogLine) => void;

export class LogBus {
  private listeners = new Set<LogListener>();

  /** Calls `listener` for every line from now on; returns the unsubscribe. */
  subscribe(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(line: LogLine): void {
    for (const listener of this.listeners) {
      try {
        listener(line);
      } catch {
        /* a failing listener must not break the function's logging */
      }
    }
  }
}
