/** An order's workflow execution as GET /orders/{orderId}?include=workflow shows it. */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { StepFunctions } from '../clients';
import { logger } from '../observability';
import type { OrderRecord } from '../repositories/orders';
import type { WorkflowInfo } from '../schemas/orders';

/** Condenses an execution history to one entry per state visit. */
export function stepsOf(events: readonly HistoryEvent[]): NonNullable<WorkflowInfo['steps']> {
  const steps: NonNullable<WorkflowInfo['steps']> = [];
  const lastOpen = (name?: string) => [...steps].reverse().find((s) => s.status === 'ENTERED' && (name === undefined || s.name === name));
  for (const e of events) {
    const at = (e.timestamp ?? new Date(0)).toISOString();
    const type = e.type ?? '';
    if (type.endsWith('StateEntered') && e.stateEnteredEventDetails?.name) {
      steps.push({ name: e.stateEnteredEventDetails.name, status: 'ENTERED', at });
    } else if (type.endsWith('StateExited') && e.stateExitedEventDetails?.name) {
      const open = lastOpen(e.stateExitedEventDetails.name);
      if (open) Object.assign(open, { status: 'SUCCEEDED', at });
    } else if (/(TaskFailed|LambdaFunctionFailed|TaskTimedOut|LambdaFunctionTimedOut)$/.test(type)) {
      const open = lastOpen();
      if (open) Object.assign(open, { status: 'FAILED', at });
    }
  }
  return steps;
}

/** Best effort: the order is still answered when Step Functions is unreachable. */
export async function workflowOf(sfn: StepFunctions, order: OrderRecord): Promise<WorkflowInfo> {
  const executionArn = order.executionArn;
  if (!executionArn) return { steps: [] };
  try {
    const { client, sdk } = sfn;
    const [desc, history] = await Promise.all([
      client.send(new sdk.DescribeExecutionCommand({ executionArn })),
      client.send(new sdk.GetExecutionHistoryCommand({ executionArn, maxResults: 500, includeExecutionData: false })),
    ]);
    return {
      executionArn,
      ...(desc.status ? { status: desc.status } : {}),
      ...(desc.startDate ? { startDate: desc.startDate.toISOString() } : {}),
      ...(desc.stopDate ? { stopDate: desc.stopDate.toISOString() } : {}),
      steps: stepsOf(history.events ?? []),
    };
  } catch (err) {
    // The order is written with its execution's ARN before OrderCreated starts it (orders/service.ts).
    if ((err as { name?: string }).name === 'ExecutionDoesNotExist') return { executionArn, steps: [] }; // not started yet: no status, no steps
    logger.warn('Workflow lookup failed', err instanceof Error ? err : new Error(String(err)));
    return { executionArn, error: 'Workflow information is unavailable' };
  }
}
