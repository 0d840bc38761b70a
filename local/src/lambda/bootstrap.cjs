// Lambda-like bootstrap run in a forked child per function instance: loads the bundle
// once (warm reuse), answers invocations over IPC with a real-shaped context.
'use strict';
const { randomUUID } = require('node:crypto');
const Module = require('node:module');
const path = require('node:path');

// In Lambda, /var/task has no node_modules above it: a bare require searches the task's own
// node_modules, then NODE_PATH (the layers, the runtime's SDK). Here the build sits inside the
// repo, whose node_modules links @myapp/shared to its TypeScript source; without this, the
// walk up from the task root would find that instead of the built layer on NODE_PATH.
const isolateRoot = process.env.LOCAL_ISOLATE_ROOT;
if (isolateRoot) {
  const within = (p) => p === isolateRoot || p.startsWith(isolateRoot + path.sep);
  const nodeModulePaths = Module._nodeModulePaths;
  Module._nodeModulePaths = function (from) {
    const paths = nodeModulePaths.call(this, from);
    return within(path.resolve(from)) ? paths.filter(within) : paths;
  };
}

let handler;
let loaded;
function load() {
  if (loaded) return loaded;
  loaded = (async () => {
    const file = process.env.LOCAL_HANDLER_FILE;
    const name = process.env.LOCAL_HANDLER_EXPORT || 'handler';
    const mod = require(file);
    handler = mod[name] ?? mod.default?.[name];
    if (typeof handler !== 'function') {
      const e = new Error(`${file}.${name} is undefined or not exported`);
      e.name = 'Runtime.HandlerNotFound';
      throw e;
    }
  })();
  return loaded;
}

function errorOf(e) {
  if (e instanceof Error) return { errorType: e.name || 'Error', errorMessage: e.message, trace: String(e.stack || '').split('\n') };
  return { errorType: 'Error', errorMessage: typeof e === 'string' ? e : JSON.stringify(e), trace: [] };
}

process.on('message', async (msg) => {
  if (!msg || msg.type !== 'invoke') return;
  const deadline = msg.deadline;
  const context = {
    awsRequestId: msg.requestId || randomUUID(),
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: msg.functionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    succeed() {},
    fail() {},
  };
  process.env._X_AMZN_TRACE_ID = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)};Parent=${randomUUID().replace(/-/g, '').slice(0, 16)};Sampled=0`;
  let reply;
  try {
    await load();
    const result = await new Promise((resolve, reject) => {
      // Callback-style handlers (3 args) as well as async ones.
      const r = handler(msg.event, context, (err, value) => (err ? reject(err) : resolve(value)));
      if (r && typeof r.then === 'function') r.then(resolve, reject);
      else if (handler.length < 3) resolve(r);
    });
    reply = { type: 'result', id: msg.id, ok: true, payload: result === undefined ? null : result };
  } catch (e) {
    reply = { type: 'result', id: msg.id, ok: false, error: errorOf(e) };
  }
  process.send(reply);
});

// Stopped by the runtime: exit normally, so `--cpu-prof` (npm start -- --cpu-prof DIR) writes its profile.
process.on('SIGTERM', () => process.exit(0));

process.on('unhandledRejection', (e) => {
  const err = errorOf(e);
  console.error(`Unhandled Promise Rejection\t${err.errorType}: ${err.errorMessage}`);
});
// Init phase before the first invocation, as in Lambda: module load does not count toward
// the function's Timeout. A load error is reported by the invocations.
load().then(
  () => process.send({ type: 'ready' }),
  () => process.send({ type: 'ready' }),
);
