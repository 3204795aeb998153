// Long-lived Node worker that evaluates APPSYNC_JS resolver/function code for appsync_local.
//
// Protocol: JSON lines. argv[2] is a directory holding the code as <sha256>.mjs files (written by
// the Python host). On start the worker writes {"ready":true,"node":"<version>"}; then for each
// request line {"id", "op": "eval"|"load", ...} it writes exactly one response line with the same
// id. Requests are processed strictly in arrival order, one at a time: the host relies on that to
// know which request is running when the worker stops answering (see runtime.py).
//
// stdout belongs to the protocol. console.* and any other write to stdout go to stderr, which the
// host forwards to its log, so `console.log` in resolver code cannot corrupt the channel.

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format } from 'node:util';
import vm from 'node:vm';
import { AppSyncError, EarlyReturn, begin, end } from './state.mjs';

const writeProtocol = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr);

let logLabel = '';
const stderrConsole = new console.Console({ stdout: process.stderr, stderr: process.stderr });
for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
  stderrConsole[level] = (...args) => process.stderr.write(`${logLabel}${format(...args)}\n`);
}
globalThis.console = stderrConsole;

// Stray timers or promises in resolver code must not take the whole worker down.
process.on('uncaughtException', (err) => process.stderr.write(`uncaught: ${err?.stack ?? err}\n`));
process.on('unhandledRejection', (err) => process.stderr.write(`unhandled: ${err?.stack ?? err}\n`));

const HERE = dirname(fileURLToPath(import.meta.url));
const MODULE_DIR = process.argv[2];
const SHA = /^[0-9a-f]{64}$/;

// Bare-specifier resolution walks up node_modules from the importing file, so a generated package
// next to the code files makes `import { util } from '@aws-appsync/utils'` resolve to the shim with
// no loader hooks, no experimental flags and no rewriting of the code.
function installShimPackage(dir) {
  const pkg = join(dir, 'node_modules', '@aws-appsync', 'utils');
  mkdirSync(pkg, { recursive: true });
  const target = (file) => JSON.stringify(pathToFileURL(join(HERE, file)).href);
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({
    name: '@aws-appsync/utils',
    type: 'module',
    exports: { '.': './index.mjs', './dynamodb': './dynamodb.mjs' },
  }));
  writeFileSync(join(pkg, 'index.mjs'),
    `export { util, runtime, extensions } from ${target('appsync_utils.mjs')};\n`);
  writeFileSync(join(pkg, 'dynamodb.mjs'),
    `export { get, put, remove, scan, query, update, sync } from ${target('dynamodb.mjs')};\n`);
}

class CodeError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

const codeFile = (sha) => join(MODULE_DIR, `${sha}.mjs`);

// AppSync reports code faults as "code.js:LINE:COL: TypeError: ..."; map our file name back.
function describe(err, sha) {
  const name = err?.name ?? 'Error';
  const message = err?.message ?? String(err);
  const at = new RegExp(`${sha}\\.mjs:(\\d+):(\\d+)`).exec(String(err?.stack ?? ''));
  return `code.js${at ? `:${at[1]}:${at[2]}` : ''}: ${name}: ${message}`;
}

// import() reports a SyntaxError without its position; `node --check` prints it, so ask it once.
function syntaxErrorLocation(sha) {
  const res = spawnSync(process.execPath, ['--check', codeFile(sha)], { encoding: 'utf8', timeout: 10000 });
  const lines = String(res.stderr ?? '').split('\n');
  const line = /:(\d+)$/.exec(lines[0] ?? '');
  const caret = (lines[2] ?? '').indexOf('^');
  if (!line) return '';
  return caret >= 0 ? `:${line[1]}:${caret + 1}` : `:${line[1]}`;
}

const modules = new Map(); // sha -> Promise<module namespace>, failures included (deterministic)

function load(sha) {
  if (!SHA.test(String(sha))) return Promise.reject(new CodeError('protocol', 'bad module id'));
  let loading = modules.get(sha);
  if (!loading) {
    loading = import(pathToFileURL(codeFile(sha)).href).catch((err) => {
      if (err?.name === 'SyntaxError' && !/requested module/.test(err.message)) {
        throw new CodeError('syntax', `code.js${syntaxErrorLocation(sha)}: SyntaxError: ${err.message}`);
      }
      throw new CodeError('load', describe(err, sha));
    });
    modules.set(sha, loading);
  }
  return loading;
}

function handlerOf(ns, fn) {
  if (typeof ns[fn] !== 'function') {
    throw new CodeError('missing_export', `code.js: the code does not export a '${fn}' function`);
  }
  return ns[fn];
}

function contextFrom(raw) {
  const ctx = { ...(raw ?? {}) };
  // `args` and `arguments` are the same object in AppSync; the stash always exists.
  const args = ctx.arguments ?? ctx.args ?? {};
  ctx.arguments = args;
  ctx.args = args;
  ctx.stash = ctx.stash ?? {};
  return ctx;
}

// vm's timeout is enforced by a watchdog thread that interrupts whatever JS runs during the
// script, including the resolver function it calls, so a runaway loop is stopped without killing
// the worker. The host still kills the process if even this fails (e.g. a hang while importing).
const INVOKE = '__appsyncLocalInvoke';
const invokeScript = new vm.Script(`globalThis.${INVOKE}()`, { filename: 'appsync-local-invoke' });

function run(fn, ctx, timeoutMs) {
  globalThis[INVOKE] = () => fn(ctx);
  try {
    return invokeScript.runInThisContext({ timeout: timeoutMs });
  } finally {
    delete globalThis[INVOKE];
  }
}

async function evaluate(msg) {
  const fn = handlerOf(await load(msg.module), msg.fn);
  const ctx = contextFrom(msg.ctx);
  const timeoutMs = Math.max(1, Math.floor(Number(msg.timeoutMs) || 5000));
  const info = ctx.info ?? {};
  logLabel = `[${info.parentTypeName ?? '?'}.${info.fieldName ?? '?'} ${msg.fn}] `;
  begin({ authType: msg.authType ?? null, identity: ctx.identity ?? null });
  const reply = { ok: true, value: null, error: null, earlyReturn: false, skipTo: null };
  let effects;
  try {
    const value = run(fn, ctx, timeoutMs);
    if (value !== null && typeof value === 'object' && typeof value.then === 'function') {
      throw new CodeError('runtime',
        `code.js: ${msg.fn} returned a Promise; APPSYNC_JS handlers must be synchronous (no async/await)`);
    }
    reply.value = value ?? null;
  } catch (err) {
    if (err instanceof AppSyncError) {
      reply.error = { message: err.message, type: err.errorType, data: err.data, info: err.errorInfo };
    } else if (err instanceof EarlyReturn) {
      reply.earlyReturn = true;
      reply.value = err.value ?? null;
      reply.skipTo = err.skipTo;
    } else if (err instanceof CodeError) {
      throw err;
    } else if (err?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw new CodeError('timeout', `code.js: ${msg.fn} did not finish within ${timeoutMs} ms`);
    } else {
      throw new CodeError('runtime', describe(err, msg.module));
    }
  } finally {
    effects = end();
    logLabel = '';
  }
  reply.errors = effects.errors;
  reply.stash = ctx.stash;
  reply.subscriptionFilter = effects.subscriptionFilter;
  reply.invalidationFilter = effects.invalidationFilter;
  reply.invalidations = effects.invalidations;
  reply.cacheEvictions = effects.cacheEvictions;
  reply.responseHeaders = effects.responseHeaders;
  return reply;
}

async function preload(msg) {
  const ns = await load(msg.module);
  handlerOf(ns, 'request');
  handlerOf(ns, 'response');
  return { ok: true };
}

function send(obj) {
  writeProtocol(`${JSON.stringify(obj)}\n`);
}

async function handle(line) {
  let msg;
  try {
    msg = JSON.parse(line);
  } catch {
    process.stderr.write(`protocol: unreadable request line\n`);
    return;
  }
  let reply;
  try {
    if (msg.op === 'eval') reply = await evaluate(msg);
    else if (msg.op === 'load') reply = await preload(msg);
    else throw new CodeError('protocol', `unknown op ${JSON.stringify(msg.op)}`);
  } catch (err) {
    const kind = err instanceof CodeError ? err.kind : 'runtime';
    const message = err instanceof CodeError ? err.message : `code.js: ${err}`;
    send({ id: msg.id, ok: false, kind, message });
    return;
  }
  let out;
  try {
    out = JSON.stringify({ id: msg.id, ...reply });
  } catch (err) {
    // A value JSON cannot carry (BigInt, cycles) is a fault of the handler.
    send({ id: msg.id, ok: false, kind: 'runtime',
      message: `code.js: the handler's result cannot be serialised to JSON: ${err?.message ?? err}` });
    return;
  }
  writeProtocol(`${out}\n`);
}

installShimPackage(MODULE_DIR);
let queue = Promise.resolve();
const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
input.on('line', (line) => {
  queue = queue.then(() => handle(line));
});
input.on('close', () => {
  queue.then(() => process.exit(0));
});
send({ ready: true, node: process.versions.node });
