/**
 * The registry: every emulated service, listed once, in start order. A group starts
 * together; the next group starts once it is up. Everything the core knows about services
 * (ports, endpoint variables, resource kinds, the not-emulated summary) is derived from
 * here: adding a service is one module plus one line below (local/README.md).
 */
import { apiService } from './apigw/service';
import { cognitoService } from './cognito/service';
import type { ResourceCatalog, ResourceKind, ServiceModule } from './contract';
import { dynamodbService } from './dynamodb/service';
import { cloudFormationService } from './services/cloudformation';
import { customResourcesService } from './lambda/custom-resources';
import { lambdaService } from './lambda/service';
import { logsService } from './logs/service';
import { s3Service } from './s3/service';
import { edgeService } from './services/edge';
import { eventBridgeService } from './services/eventbridge';
import { notEmulatedKinds } from './services/not-emulated';
import { sqsService } from './services/sqs';
import { stepFunctionsService } from './services/stepfunctions';
import { streamsService } from './services/streams';
import { loadTemplateFile, resolveTemplate, type JsonObject, type ResolvedTemplate, type ResolveOptions } from './template';

export const SERVICE_GROUPS: readonly (readonly ServiceModule[])[] = [
  // Independent of each other: DynamoDB Local's JVM dominates start-up, the build runs meanwhile.
  // The log store listens before any function runs (the custom resources log at create).
  [dynamodbService, lambdaService, cognitoService, s3Service, logsService],
  [apiService],
  // A stack create: once the functions and tables are up, before the event services.
  [customResourcesService],
  // The services others send to come first.
  [sqsService],
  [stepFunctionsService],
  [eventBridgeService],
  [streamsService],
  [edgeService],
  // The stack answers CREATE_COMPLETE once everything else is up.
  [cloudFormationService],
  // Kinds only: what the template may declare that nothing emulates.
  [notEmulatedKinds],
];

export const SERVICES: readonly ServiceModule[] = SERVICE_GROUPS.flat();

/** Default port of every listening service, by its name (`--<name>-port`). */
export const DEFAULT_PORTS: Readonly<Record<string, number>> = Object.fromEntries(
  SERVICES.filter((s) => s.port !== undefined).map((s) => [s.name, s.port!]),
);

/** Resource kinds by type; a type two modules claim is a programming error, refused at load. */
export function catalogOf(services: readonly ServiceModule[]): ResourceCatalog {
  const exact = new Map<string, ResourceKind>();
  const prefixes: [string, ResourceKind][] = [];
  for (const s of services) {
    for (const kind of s.kinds ?? []) {
      for (const type of kind.types) {
        const taken = type.endsWith('*') ? prefixes.some(([p]) => p === type.slice(0, -1)) : exact.has(type);
        if (taken) throw new Error(`Resource type ${type} is claimed by two service modules (${s.name} and another)`);
        if (type.endsWith('*')) prefixes.push([type.slice(0, -1), kind]);
        else exact.set(type, kind);
      }
    }
  }
  const localizers = services.flatMap((s) => (s.localize ? [s.localize] : []));
  return {
    kindOf: (type) => exact.get(type) ?? prefixes.find(([p]) => type.startsWith(p))?.[1],
    // Each module rewrites its own URLs, in turn: one string may name several (a hosted UI
    // sign-in link carries the web app's callback URL).
    localize: (value, ctx) => localizers.reduce((v, localize) => localize(v, ctx) ?? v, value),
  };
}

export const CATALOG: ResourceCatalog = catalogOf(SERVICES);

/** The template resolved with the registry's names, ARNs and attributes. */
export function resolveStackTemplate(raw: JsonObject, opts: Omit<ResolveOptions, 'catalog'> = {}): ResolvedTemplate {
  return resolveTemplate(raw, { ...opts, catalog: CATALOG });
}

export function loadStackTemplate(path: string, opts: Omit<ResolveOptions, 'catalog'> = {}): ResolvedTemplate {
  return resolveStackTemplate(loadTemplateFile(path), opts);
}
