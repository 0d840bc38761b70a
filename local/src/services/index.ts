/**
 * Event services started by the runtime after the core (ARCHITECTURE.md section 6).
 * Engineers of each service add their entry; start order follows the key order below
 * (SQS first: the others send to it).
 */
import type { LocalService, Runtime } from '../types';
import { startEdge } from './edge';
import { startEventBridge } from './eventbridge';
import { startSchedules } from './schedules';
import { startSqs } from './sqs';
import { startStepFunctions } from './stepfunctions';
import { startStreams } from './streams';

export type ServiceStarter = (rt: Runtime, port: number) => Promise<LocalService>;

/**
 * Loads the heavy engines early, while DynamoDB Local's JVM starts (the services themselves
 * start after it): the ASL engine and its validator take ~0.2-0.5 s to load.
 */
export function preloadServiceEngines(): void {
  void import('aws-local-stepfunctions').catch(() => undefined);
}

/** Start order: services that others send to come first. */
export const SERVICE_ORDER = ['sqs', 'stepfunctions', 'eventbridge', 'streams', 'schedules', 'edge'] as const;

export const serviceStarters: Record<string, ServiceStarter> = {
  // Order pipeline services: each records its endpoint so the later ones can reach it.
  sqs: async (rt, port) => {
    const svc = await startSqs(rt, { port });
    rt.endpoints.SQSEndpoint ??= svc.url;
    return svc;
  },
  stepfunctions: async (rt, port) => {
    const svc = await startStepFunctions(rt, { port });
    rt.endpoints.StepFunctionsEndpoint ??= svc.url;
    return svc;
  },
  eventbridge: async (rt, port) => {
    const svc = await startEventBridge(rt, { port });
    rt.endpoints.EventBridgeEndpoint ??= svc.url;
    return svc;
  },
  streams: (rt) => startStreams(rt),
  schedules: (rt) => startSchedules(rt),
  // The local CloudFront: web app and docs behind the template's CloudFront Function.
  edge: (rt, port) => startEdge(rt, { port }),
};
