/**
 * Function log lines as they happen, for the services that serve them back (a CloudWatch
 * Logs endpoint): each line with its function, time, request id and log stream. The
 * console gets the same lines through the runtime's log; the bus keeps nothing itself.
 */
export interface FunctionLogLine {
  /** The function's logical id. */
  functionId: string;
  /** Epoch milliseconds when the line was read. */
  timestamp: number;
  /** The invocation the process was serving, if any (init-phase lines have none). */
  requestId?: string;
  /** The process's log stream name (AWS_LAMBDA_LOG_STREAM_NAME). */
  logStream: string;
  message: string;
}

export type LogListener = (line: FunctionLogLine) => void;

export class LogBus {
  private listeners = new Set<LogListener>();

  /** Calls `listener` for every line from now on; returns the unsubscribe. */
  subscribe(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(line: FunctionLogLine): void {
    for (const listener of this.listeners) {
      try {
        listener(line);
      } catch {
        /* a failing listener must not break the function's logging */
      }
    }
  }
}
