/** The seam between the runtime core and the event services (ARCHITECTURE.md section 6). */
import type { ResolvedTemplate } from './template';

export type { ResolvedTemplate };

export interface InvokeResult {
  ok: boolean;
  payload?: unknown;
  error?: { errorType: string; errorMessage: string; trace?: string[] };
}

export interface Runtime {
  template: ResolvedTemplate;
  invoke(logicalId: string, event: unknown, opts?: { async?: boolean }): Promise<InvokeResult>;
  endpoints: Record<string, string>;
  stateDir: string;
  log: (source: string, message: string) => void;
  /** Repository root (where template.yaml lives). */
  rootDir: string;
  region: string;
  accountId: string;
  stackName: string;
}

export interface LocalService {
  name: string;
  url?: string;
  /** Lines printed in the start-up summary (rules, schedules, state machines). */
  describe?: () => string[];
  stop(): Promise<void>;
}
